from enum import StrEnum


class Role(StrEnum):
    PATIENT = "patient"
    DOCTOR = "doctor"
    PHARMACIST = "pharmacist"
    NURSE = "nurse"
    MERCHANT = "merchant"
    PARTNER_PHARMACY = "partner_pharmacy"
    CLINIC_ADMIN = "clinic_admin"
    OPERATOR = "operator"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.PATIENT: "患者", Role.DOCTOR: "医生", Role.PHARMACIST: "药师", Role.NURSE: "护士",
    Role.MERCHANT: "商家", Role.PARTNER_PHARMACY: "合作药房", Role.CLINIC_ADMIN: "诊所管理员",
    Role.OPERATOR: "运营", Role.ADMIN: "系统管理员",
}
