"""Uploaded prescription images: the patient uploads, a pharmacist reviews (RX-01, OD-02)."""
from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from healthhub.core.db import DbSession, utcnow
from healthhub.core.errors import NotFound
from healthhub.core.inputs import ResourceId
from healthhub.core.pagination import Page, PageParams, page_params, paginate
from healthhub.identity.deps import CurrentUser, require_roles
from healthhub.identity.roles import Role
from healthhub.identity.service import Principal
from healthhub.orders import uploads
from healthhub.orders.models import RxUpload
from healthhub.orders.policies import can_review_rx_uploads, can_see_rx_upload, can_upload_prescriptions
from healthhub.orders.schemas import ReasonIn, RxApproveIn, RxUploadOut, upload_out

router = APIRouter(tags=["prescription uploads"])
Patient = Annotated[Principal, Depends(require_roles(Role.PATIENT))]
Pharmacist = Annotated[Principal, Depends(require_roles(Role.PHARMACIST))]


@router.post("/rx-uploads", response_model=RxUploadOut, status_code=201,
             summary="Upload a photo of a paper prescription (PNG or JPEG, at most 5 MB)")
def upload_prescription(db: DbSession, patient: Patient, file: Annotated[UploadFile, File()]) -> RxUploadOut:
    # Plain def (threadpool): the insert must not run on the event loop. The form is already parsed into a
    # spooled file, so reading it here is a local read.
    data = file.file.read(uploads.MAX_BYTES + 1)
    return upload_out(uploads.create_upload(db, patient_id=patient.id, data=data))


@router.get("/rx-uploads", response_model=Page[RxUploadOut],
            summary="Patients: my uploads. Pharmacists: the review queue (status=pending by default)")
def list_uploads(db: DbSession, principal: CurrentUser, params: Annotated[PageParams, Depends(page_params)],
                 status: str | None = None) -> Page[RxUploadOut]:
    query = select(RxUpload).order_by(RxUpload.id.desc())
    if can_review_rx_uploads(principal):
        query = query.where(RxUpload.status == (status or uploads.PENDING))
    elif can_upload_prescriptions(principal):
        query = query.where(RxUpload.patient_id == principal.id)
    else:
        raise NotFound("没有可查看的处方图片 / nothing to show")
    rows, total = paginate(db, query, params)
    return Page(items=[upload_out(u) for u in rows], total=total, page=params.page, size=params.size)


def visible_upload(db, upload_id: int, principal: Principal) -> RxUpload:
    upload = uploads.get_upload(db, upload_id=upload_id)
    if not can_see_rx_upload(principal, upload):
        raise NotFound("处方图片不存在 / uploaded prescription not found")
    return upload


@router.get("/rx-uploads/{upload_id}/image", summary="The image itself (its owner and pharmacists only)")
def upload_image(upload_id: ResourceId, db: DbSession, principal: CurrentUser) -> Response:
    upload = visible_upload(db, upload_id, principal)
    return Response(upload.image, media_type=upload.content_type,
                    headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})


@router.post("/rx-uploads/{upload_id}/approve", response_model=RxUploadOut,
             summary="Pharmacist approves: the drugs and quantities the prescription covers and its validity")
def approve_upload(upload_id: ResourceId, body: RxApproveIn, db: DbSession, pharmacist: Pharmacist) -> RxUploadOut:
    upload = uploads.approve(db, upload_id=upload_id, pharmacist_id=pharmacist.id, issued_on=body.issued_on,
                             valid_until=body.valid_until, now=utcnow(),
                             items=[uploads.ApprovedItem(i.knowledge_key, i.drug_name, i.quantity) for i in body.items])
    return upload_out(upload)


@router.post("/rx-uploads/{upload_id}/reject", response_model=RxUploadOut, summary="Pharmacist rejects, with a reason")
def reject_upload(upload_id: ResourceId, body: ReasonIn, db: DbSession, pharmacist: Pharmacist) -> RxUploadOut:
    return upload_out(uploads.reject(db, upload_id=upload_id, pharmacist_id=pharmacist.id, reason=body.reason,
                                     now=utcnow()))
