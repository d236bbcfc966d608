#!/usr/bin/python3
"""The HTTP peer of the benchmark: the chapter's net behind FastAPI + PyTorch, one uvicorn worker,
torch.set_num_threads(1). POST /api/v1/models/net/forward takes {"input": [[..4..], ..]} and answers
{"output": {"shape", "dtype", "data"}} as paramlab does.
Run: /usr/bin/python3 bench/fastapi_peer.py --port 8001"""
import argparse

import torch
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(42)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
app = FastAPI()


class ForwardRequest(BaseModel):
    input: list[list[float]]


@app.post("/api/v1/models/{model_id}/forward")
def forward(model_id: str, request: ForwardRequest):
    with torch.no_grad():
        output = net(torch.tensor(request.input, dtype=torch.float32))
    return {"output": {"shape": list(output.shape), "dtype": "float32", "data": output.tolist()}}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, workers=1, log_level="warning", access_log=False)
