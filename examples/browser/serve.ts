// Static server for the browser demo on 127.0.0.1 (default port 8080):
// serves only examples/browser/, dist/ and weights/ from the repository root.
// Build the bundle first (`deno task bundle`), then open
// http://127.0.0.1:8080/examples/browser/index.html
// Usage: deno run -A examples/browser/serve.ts [PORT]

const root = new URL("../../", import.meta.url);
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  map: "application/json",
  tcnn: "application/octet-stream",
};
const ALLOWED = /^\/(examples\/browser|dist|weights)\/[\w.-]+$/;

const port = Number(Deno.args[0] ?? 8080);
Deno.serve({ hostname: "127.0.0.1", port }, async (req) => {
  const path = new URL(req.url).pathname;
  if (path === "/") return Response.redirect(new URL("/examples/browser/index.html", req.url), 302);
  if (!ALLOWED.test(path)) return new Response("not found", { status: 404 });
  try {
    const body = await Deno.readFile(new URL(path.slice(1), root));
    const ext = path.split(".").pop()!;
    return new Response(body, { headers: { "content-type": TYPES[ext] ?? "application/octet-stream" } });
  } catch {
    return new Response(`${path} not found (did you run \`deno task bundle\` / train a model?)`, {
      status: 404,
    });
  }
});
