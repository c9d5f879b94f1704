# workerd config for the tinycnn edge handler. Run after building:
#   deno run -A examples/edge/build_worker.ts          # → dist/edge/{worker.js,model.tcnn,config.capnp}
#   workerd serve dist/edge/config.capnp               # http://127.0.0.1:8787
# The model is bundled with the worker as a data binding (ArrayBuffer in
# env.MODEL): nothing is fetched at run time. Paths are relative to this file's
# copy in the build folder.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .tinycnn) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const tinycnn :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  bindings = [ (name = "MODEL", data = embed "model.tcnn") ],
  compatibilityDate = "2025-06-01",
);
