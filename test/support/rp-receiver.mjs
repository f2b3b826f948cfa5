// A relying party's back-channel logout endpoint, as a worker of its own in the test runtime:
// the provider's outbound requests are routed here (vitest.config.ts, outboundService).
//   POST /ok/<key>         answers 200
//   POST /flaky-<n>/<key>  answers 503 the first n times, then 200
//   POST /down/<key>       always answers 500
//   GET  /received?key=K   the form bodies received for key K, with the status each got
//   POST /json/<key>       a CIBA client notification endpoint: records the JSON body and the
//                          Authorization (and Authshard-Signature) header, answers 204
//                          (flaky-json-<n>: 503 the first n times)
//   PUT  /jwks/<key>       sets what GET /jwks/<key> answers: a JWK Set (a relying party's jwks_uri), or "down" for 503
//   GET  /jwks/<key>       that JWK Set (404 before any PUT); counts the reads at GET /jwks-reads/<key>
const received = new Map();
const jwksSets = new Map();
const jwksReads = new Map();

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/received") {
      return Response.json(received.get(url.searchParams.get("key")) ?? []);
    }
    const [, mode, key] = url.pathname.split("/");
    if (mode === "jwks" && key) {
      if (request.method === "PUT") {
        jwksSets.set(key, await request.text());
        return new Response(null, { status: 204 });
      }
      jwksReads.set(key, (jwksReads.get(key) ?? 0) + 1);
      const set = jwksSets.get(key);
      if (set === undefined) return new Response("not found", { status: 404 });
      if (set === "down") return new Response("down", { status: 503 });
      return new Response(set, { headers: { "Content-Type": "application/json" } });
    }
    if (mode === "jwks-reads" && key) return Response.json(jwksReads.get(key) ?? 0);
    if (request.method !== "POST" || !key) return new Response("not found", { status: 404 });
    const list = received.get(key) ?? [];
    received.set(key, list);
    const json = /^(?:flaky-json-(\d+)|json)$/.exec(mode);
    if (json) {
      const failing = json[1] !== undefined && list.length < Number(json[1]);
      list.push({ host: url.host, contentType: request.headers.get("content-type"), authorization: request.headers.get("authorization"), signature: request.headers.get("authshard-signature"), body: await request.json().catch(() => null), status: failing ? 503 : 204 });
      return new Response(null, { status: failing ? 503 : 204 });
    }
    const form = new URLSearchParams(await request.text());
    let status = 200;
    const flaky = /^flaky-(\d+)$/.exec(mode);
    if (mode === "down") status = 500;
    else if (flaky && list.length < Number(flaky[1])) status = 503;
    else if (!flaky && mode !== "ok") status = 404;
    list.push({ host: url.host, contentType: request.headers.get("content-type"), logout_token: form.get("logout_token"), status });
    return new Response(null, { status: status === 200 ? 200 : status, headers: { "Cache-Control": "no-store" } });
  },
};
