-- wrk: a seeded normal on every Linear weight of net (POST /models/{id}/init given as the URL)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"seed": 1, "rules": [{"layer_types": ["Linear"], "params": {"weight": {"type": "normal", "mean": 0, "std": 0.01}}}]}'
