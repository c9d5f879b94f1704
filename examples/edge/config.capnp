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
