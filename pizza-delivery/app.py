"""Entry point of delivery: `python3 app.py` behind `dapr run`, or `gunicorn 'app:create_app()'`."""

from pizza_common.contract.names import DELIVERY_APP, PORTS
from pizza_common.service.server import serve
from pizza_delivery import create_app

if __name__ == "__main__":
    serve(create_app, PORTS[DELIVERY_APP][0])
