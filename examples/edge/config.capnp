# workerd config for the tinycnn edge handler. Run after building:
#   deno run -A examples/edge/build_worker.ts          # → dist/edge/{worker.js,model.tcnn,config.capnp}
#   workerd serve dist/edge/config.capnp               # http://127.0.0.1:8787
# The model is bundled with the worker as a data module (imported at global
# scope, where it is decoded and warmed; the entry also hands it to the
# handler as env.MODEL, the fallback): nothing is fetched at run time. Paths
# are relative to this file's copy in the build folder. build_worker.ts fills
# `bindings` with the text settings it is given (TOKEN, CORS_ORIGINS).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .tinycnn) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
  # a young generation of 2 MiB semi-spaces, as in a 128 MB isolate: the 4 KiB chunks a large PNG inflates
  # to are collected as they go (with V8's default growth a 4096² upload at a time took the process from
  # 114 to 280 MiB; with this, 110 to 133 MiB)
  v8Flags = [ "--max-semi-space-size=2" ],
);

const tinycnn :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    # the model as a data module: the entry loads and warms it at global scope
    (name = "model.tcnn", data = embed "model.tcnn"),
    # the wasm kernels as a wasm module: compiled by workerd at load, handed to loadModel as `wasm`
    (name = "tinycnn.wasm", wasm = embed "tinycnn.wasm"),
  ],
  bindings = [],
  compatibilityDate = "2025-06-01",
);
