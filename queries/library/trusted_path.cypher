// name: trusted_path
// answers: The most trusted paths from a factory to a consumer (consumer -> streamer -> product -> factory, or through one shared streamer when no direct path exists), each hop with its evidence; path trust is the product of edge trusts (a bond weighs its trust times the consumer's credibility).
// source: paths/most_trusted_path
// param: factory_id STRING  the factory
// param: consumer_id STRING  the consumer
// param: top INTEGER >= 0 = 5  how many paths
// param: max_hops INTEGER in {0, 1} = 1  shared-streamer hops searched when there is no direct path
// param: carry_prior FLOAT >= 0 = 5.0  prior weight (units) of the product's trust in the carry trust
// param: missing_trust FLOAT >= 0 = 0.5  trust of an unscored product
// param: min_bond FLOAT >= 0 = 0.0  bonds below this are no edges
// param: score_run_id STRING = null  score run whose bonds to use (null: the current one)
// returns: rank, path_trust, shared_hops, consumer_id, first_streamer, via_consumer, streamer_id, product_id, bond_weights, carry_trust, carry_orders, carry_units, carry_returned_units, product_trust, product_name, category, streamer_trust, streamer_name, factory_id, factory_trust, factory_name
// index: Factory(factory_id) and Consumer(consumer_id) unique constraints
