"""Order-domain facts other parts of the order domain react to after the transaction's main work: a pharmacist's
verdict on an uploaded paper prescription releases or cancels the orders waiting for it. (Money comes in and goes
back through the payments domain's events, payments/events.py.)"""
from datetime import datetime

from healthhub.core.events import domain_event


@domain_event("orders.rx_upload_approved")
class RxUploadApproved:
    upload_id: int
    at: datetime


@domain_event("orders.rx_upload_rejected")
class RxUploadRejected:
    upload_id: int
    reason: str
    at: datetime
