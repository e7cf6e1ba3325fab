"""A tiny web app using Gannet as its cache and counter, exactly as it would use Redis:
GET / counts the visit and answers with the total; the answer is cached for a second."""

import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redis

store = redis.Redis(host=os.environ.get("GANNET_HOST", "127.0.0.1"),
                    port=int(os.environ.get("GANNET_PORT", "6379")))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        visits = store.incr("visits")
        page = store.get("page:home")
        if page is None:
            page = b"Hello from an app backed by Gannet.\n"
            store.set("page:home", page, ex=1)
        body = page + f"visits: {visits}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
