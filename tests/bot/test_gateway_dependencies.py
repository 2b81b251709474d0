"""What the gateway needs of its libraries, checked where a version bump could break it."""

from __future__ import annotations

from aiohttp import web


async def test_request_url_works_when_the_host_header_has_a_port(aiohttp_client):
    """aiohttp 3.9 with yarl 1.13+ raises ValueError here (the pin in requirements/gateway.txt)."""

    async def echo(request: web.Request) -> web.Response:
        return web.Response(text=str(request.url))

    app = web.Application()
    app.router.add_get("/where", echo)
    client = await aiohttp_client(app)
    async with client.get("/where?x=1", headers={"Host": "127.0.0.1:9080"}) as response:
        assert response.status == 200
        assert await response.text() == "http://127.0.0.1:9080/where?x=1"
