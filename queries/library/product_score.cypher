// name: product_score
// answers: One product's trust score of the current score run and what it rests on: interval and confidence, cause-class risks, the product's and its factory's effects on defect returns, the sellers' share of the blame, and the raw evidence (docs/scores.md, products).
// param: product_id STRING  the product
// returns: product_id, name, category, factory_id, trust, confidence, trust_low, trust_high, seller_return_risk, product_return_risk, neutral_return_risk, product_effect, factory_effect, seller_effect, orders, units, returned_units, return_rate, returned_units_seller, returned_units_product, returned_units_neutral, returned_units_unattributed, kept_weight, returned_weight, streamers, buyers, run_id
// index: Product(product_id) unique constraint; JobRun(job, current)
// how: the factory is the product's MADE_BY (the score keeps it as the file's factory_id column).
MATCH (run:JobRun {job: 'score', current: true})
MATCH (s:Product {product_id: $product_id})-[sc:PRODUCT_SCORE]->(run)
USING INDEX SEEK s:Product(product_id)
OPTIONAL MATCH (s)-[:MADE_BY]->(f:Factory)
RETURN s.product_id AS product_id, s.name AS name, s.category AS category, f.factory_id AS factory_id,
       sc.trust AS trust, sc.trust_confidence AS confidence, sc.trust_low AS trust_low,
       sc.trust_high AS trust_high, sc.seller_return_risk AS seller_return_risk,
       sc.product_return_risk AS product_return_risk, sc.neutral_return_risk AS neutral_return_risk,
       sc.product_effect AS product_effect, sc.factory_effect AS factory_effect,
       sc.seller_effect AS seller_effect, sc.orders AS orders, sc.units AS units,
       sc.returned_units AS returned_units, sc.return_rate AS return_rate,
       sc.returned_units_seller AS returned_units_seller,
       sc.returned_units_product AS returned_units_product,
       sc.returned_units_neutral AS returned_units_neutral,
       sc.returned_units_unattributed AS returned_units_unattributed, sc.kept_weight AS kept_weight,
       sc.returned_weight AS returned_weight, sc.streamers AS streamers, sc.buyers AS buyers,
       run.run_id AS run_id;
