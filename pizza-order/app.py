"""Entry point of order: `python3 app.py` behind `dapr run`, or `gunicorn 'app:create_app()'`."""

from pizza_common.contract.names import ORDER_APP, PORTS
from pizza_common.service.server import serve
from pizza_order import create_app

if __name__ == "__main__":
    serve(create_app, PORTS[ORDER_APP][0])
