// name: streamer_score
// answers: One streamer's trust score of the current score run and everything behind it: the interval and confidence, reputation and its cause-class risks, the recent window, integrity (spam mass), the streamer's own effects, the priors, and the raw sales and audience evidence (docs/scores.md, streamers).
// param: streamer_id STRING  the streamer
// returns: streamer_id, name, category, region, trust, confidence, trust_low, trust_high, reputation, integrity, spam_mass, own_effect, recent_own_effect, own_effect_product, seller_return_risk, product_return_risk, neutral_return_risk, recent_kept, recent_drop, catalog_kept, prior_kept, orders, units, returned_units, return_rate, returned_units_seller, returned_units_product, returned_units_neutral, returned_units_unattributed, gmv, kept_weight, returned_weight, buyers, credible_buyer_share, repeat_buyer_share, lockstep_buyers, followers, credible_follower_share, buying_follower_share, unfollows, last_order_days, run_id
// index: Streamer(streamer_id) unique constraint; JobRun(job, current)
MATCH (run:JobRun {job: 'score', current: true})
MATCH (s:Streamer {streamer_id: $streamer_id})-[sc:STREAMER_SCORE]->(run)
USING INDEX SEEK s:Streamer(streamer_id)
RETURN s.streamer_id AS streamer_id, s.name AS name, s.category AS category, s.region AS region,
       sc.trust AS trust, sc.trust_confidence AS confidence, sc.trust_low AS trust_low,
       sc.trust_high AS trust_high, sc.reputation AS reputation, sc.integrity AS integrity,
       sc.spam_mass AS spam_mass, sc.own_effect AS own_effect, sc.recent_own_effect AS recent_own_effect,
       sc.own_effect_product AS own_effect_product, sc.seller_return_risk AS seller_return_risk,
       sc.product_return_risk AS product_return_risk, sc.neutral_return_risk AS neutral_return_risk,
       sc.recent_kept AS recent_kept, sc.recent_drop AS recent_drop, sc.catalog_kept AS catalog_kept,
       sc.prior_kept AS prior_kept, sc.orders AS orders, sc.units AS units,
       sc.returned_units AS returned_units, sc.return_rate AS return_rate,
       sc.returned_units_seller AS returned_units_seller,
       sc.returned_units_product AS returned_units_product,
       sc.returned_units_neutral AS returned_units_neutral,
       sc.returned_units_unattributed AS returned_units_unattributed, sc.gmv AS gmv,
       sc.kept_weight AS kept_weight, sc.returned_weight AS returned_weight, sc.buyers AS buyers,
       sc.credible_buyer_share AS credible_buyer_share, sc.repeat_buyer_share AS repeat_buyer_share,
       sc.lockstep_buyers AS lockstep_buyers, sc.followers AS followers,
       sc.credible_follower_share AS credible_follower_share,
       sc.buying_follower_share AS buying_follower_share, sc.unfollows AS unfollows,
       sc.last_order_days AS last_order_days, run.run_id AS run_id;
