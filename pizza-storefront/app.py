"""Entry point of storefront: `python3 app.py` behind `dapr run`, or `gunicorn 'app:create_app()'`."""

from pizza_common.contract.names import PORTS, STOREFRONT_APP
from pizza_common.service.server import serve
from pizza_storefront import create_app

if __name__ == "__main__":
    serve(create_app, PORTS[STOREFRONT_APP][0])
