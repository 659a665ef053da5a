"""Routes of the storefront's simulated payment provider: charge, refund, and their record."""

from flask_openapi3 import APIBlueprint

from pizza_common.contract.models import OrderRef
from pizza_common.contract.payments import ChargeRequest, PaymentRecord, PaymentResult, RefundRequest
from pizza_common.service.web import Reply, dapr_only, dapr_or_staff, error
from pizza_common.sidecar.dapr_io import gateway
from pizza_common.sidecar.guarded import StateBusy
from pizza_storefront import ledger, payment_store

bp = APIBlueprint("payments", __name__)


def _answer(order_id: str, decide: payment_store.Decide) -> Reply:
    try:
        answer = payment_store.apply(gateway(), order_id, decide)
    except StateBusy as exc:
        return error(503, str(exc))
    return answer.result.model_dump(mode="json"), answer.code


@bp.post("/pay", responses={200: PaymentResult, 402: PaymentResult, 409: PaymentResult})
@dapr_only
def pay(body: ChargeRequest) -> Reply:
    """Charge an order once per key: 402 if declined, 409 if refunded or charged under another key."""
    return _answer(body.order_id, lambda record: ledger.charge(record, body))


@bp.post("/refund", responses={200: PaymentResult, 409: PaymentResult})
@dapr_only
def refund(body: RefundRequest) -> Reply:
    """Refund an order's charge once; with none, answer nothing_to_refund and refuse later charges."""
    return _answer(body.order_id, lambda record: ledger.refund(record, body))


@bp.get("/payments/<order_id>", responses={200: PaymentRecord})
@dapr_or_staff
def get_payment(path: OrderRef) -> Reply:
    """Return an order's payment record (for Dapr callers and staff): status, counted effects, keys seen."""
    record, _ = payment_store.load(gateway(), path.order_id)
    if record is None:
        return error(404, f"no payment for order {path.order_id}")
    return record.model_dump(mode="json")
