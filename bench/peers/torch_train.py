# PyTorch CPU training-throughput peer (Debian python3-torch), 2 threads:
# builds the bench model from its manifest (same weights), times Adam steps of
# batch 64 on seeded random 28x28 data and extrapolates a 60k-sample epoch.
# Usage: /usr/bin/python3 bench/peers/torch_train.py --model bench/.cache/small [--budget 20]
# Prints one JSON line like bench/train_bench.ts.
import json, sys, time, statistics

def main():
    a = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    base = a["--model"]
    budget = float(a.get("--budget", "20"))
    try:
        import numpy as np
        import torch
        torch.set_num_threads(2)
        man = json.load(open(base + ".json"))
        binv = np.fromfile(base + ".bin", dtype=np.float32)
        p = lambda l, k: torch.from_numpy(binv[l["params"][k]["offset"]:l["params"][k]["offset"] + l["params"][k]["length"]].copy())
        mods = []
        for l in man["layers"]:
            if l["op"] == "conv":
                m = torch.nn.Conv2d(l["inC"], l["outC"], (l["kh"], l["kw"]), stride=(l["sh"], l["sw"]), bias=l["bias"])
                if l["pt"] != l["pb"] or l["pl"] != l["pr"]:
                    raise ValueError("asymmetric padding not mapped")
                m.padding = (l["pt"], l["pl"])
                m.weight.data = p(l, 0).reshape(m.weight.shape)
                if l["bias"]:
                    m.bias.data = p(l, 1)
                mods.append(m)
            elif l["op"] == "pool":
                mods.append(torch.nn.MaxPool2d((l["kh"], l["kw"]), (l["sh"], l["sw"])))
            elif l["op"] == "flatten":
                mods.append(torch.nn.Flatten())
            elif l["op"] == "dense":
                m = torch.nn.Linear(l["inF"], l["outF"], bias=l["bias"])
                m.weight.data = p(l, 0).reshape(m.weight.shape)
                if l["bias"]:
                    m.bias.data = p(l, 1)
                mods.append(m)
            elif l["op"] == "act" and l["act"] == "relu":
                mods.append(torch.nn.ReLU())
            elif l["op"] == "act" and l["act"] == "softmax":
                pass  # CrossEntropyLoss takes logits
            else:
                raise ValueError("layer not mapped: %s" % l["op"])
        net = torch.nn.Sequential(*mods)
        g = torch.Generator().manual_seed(7)
        x = torch.rand((64, *man["inputShape"]), generator=g)
        y = torch.randint(0, man["outputSize"], (64,), generator=g)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        lossf = torch.nn.CrossEntropyLoss()
        def step():
            opt.zero_grad()
            loss = lossf(net(x), y)
            loss.backward()
            opt.step()
        for _ in range(3):
            step()
        t, t0 = [], time.perf_counter()
        while len(t) < 200 and (len(t) < 5 or time.perf_counter() - t0 < budget / 2):
            s = time.perf_counter()
            step()
            t.append((time.perf_counter() - s) * 1000)
        med = statistics.median(t)
        sps = 64000 / med
        print(json.dumps({"lib": "pytorch-cpu-train", "version": torch.__version__, "arch": base.split("/")[-1], "batch": 64,
                          "samples_s": sps, "epoch_s": 60000 / sps,
                          "step_ms": {"median": med, "p90": sorted(t)[int(0.9 * len(t))], "n": len(t)}}))
    except Exception as e:  # one JSON line either way
        print(json.dumps({"lib": "pytorch-cpu-train", "arch": base.split("/")[-1], "error": repr(e)[:400]}))

main()
