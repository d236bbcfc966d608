-- wrk: POST the chapter's X (2x4) to the forward endpoint given as the URL
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"input": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]}'
