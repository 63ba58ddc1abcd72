// name: factory_score
// answers: One factory's trust score of the current score run and what it rests on: interval and confidence, cause-class risks, the factory's effect on defect returns, the sellers' share of the blame, its reach, and the raw evidence (docs/scores.md, factories).
// param: factory_id STRING  the factory
// returns: factory_id, name, region, trust, confidence, trust_low, trust_high, seller_return_risk, product_return_risk, neutral_return_risk, factory_effect, seller_effect, products, products_sold, orders, units, returned_units, return_rate, returned_units_seller, returned_units_product, returned_units_neutral, returned_units_unattributed, kept_weight, returned_weight, streamers, run_id
// index: Factory(factory_id) unique constraint; JobRun(job, current)
MATCH (run:JobRun {job: 'score', current: true})
MATCH (s:Factory {factory_id: $factory_id})-[sc:FACTORY_SCORE]->(run)
USING INDEX SEEK s:Factory(factory_id)
RETURN s.factory_id AS factory_id, s.name AS name, s.region AS region, sc.trust AS trust,
       sc.trust_confidence AS confidence, sc.trust_low AS trust_low, sc.trust_high AS trust_high,
       sc.seller_return_risk AS seller_return_risk, sc.product_return_risk AS product_return_risk,
       sc.neutral_return_risk AS neutral_return_risk, sc.factory_effect AS factory_effect,
       sc.seller_effect AS seller_effect, sc.products AS products, sc.products_sold AS products_sold,
       sc.orders AS orders, sc.units AS units, sc.returned_units AS returned_units,
       sc.return_rate AS return_rate, sc.returned_units_seller AS returned_units_seller,
       sc.returned_units_product AS returned_units_product,
       sc.returned_units_neutral AS returned_units_neutral,
       sc.returned_units_unattributed AS returned_units_unattributed, sc.kept_weight AS kept_weight,
       sc.returned_weight AS returned_weight, sc.streamers AS streamers, run.run_id AS run_id;
