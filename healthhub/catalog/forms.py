"""Dosage forms (剂型) and splitting a product's generic name into ingredient + form.

Chinese generic product names end with the dosage form: 布洛芬缓释胶囊 = 布洛芬 + 缓释胶囊. The
knowledge base does this with its own tables; this is the fallback for names it does not know,
so search still finds `布洛芬` inside an unknown 布洛芬XX胶囊.
"""
# Longest first, so 缓释胶囊 wins over 胶囊 and 肠溶片 over 片.
DOSAGE_FORMS = tuple(sorted({
    "片", "胶囊", "颗粒", "丸", "散", "膏", "口服液", "口服溶液", "糖浆", "注射液", "注射剂", "滴眼液", "滴耳液", "滴鼻液",
    "喷雾剂", "鼻喷雾剂", "气雾剂", "吸入气雾剂", "吸入粉雾剂", "吸入剂", "乳膏", "软膏", "凝胶", "贴剂", "贴膏", "栓",
    "阴道栓", "阴道片", "混悬液", "混悬滴剂", "干混悬剂", "缓释片", "控释片", "肠溶片", "肠溶胶囊", "缓释胶囊",
    "分散片", "咀嚼片", "泡腾片", "含片", "口腔崩解片", "薄膜衣片", "糖衣片", "滴丸", "水丸", "蜜丸", "浓缩丸",
    "软胶囊", "硬胶囊", "酊", "搽剂", "洗剂", "溶液", "合剂", "酏剂", "乳剂", "注射用", "粉针剂", "眼膏", "眼用凝胶",
    "滴剂", "冲剂", "茶", "膜", "缓释颗粒", "肠溶微丸胶囊", "片(薄膜衣)", "乳状注射液", "吸入溶液", "吸入用混悬液",
    "混悬剂", "乳", "油", "露", "锭", "胶", "灌肠剂", "植入剂", "鼻用喷雾剂", "喷剂", "粉", "口服混悬液",
}, key=len, reverse=True))


def split_generic_name(name: str) -> tuple[str, str | None]:
    """(ingredient, dosage form or None). `注射用XX` names put the form first."""
    name = name.strip()
    if name.startswith("注射用") and len(name) > 3:
        return name[3:], "注射用无菌粉末"
    for form in DOSAGE_FORMS:
        if name.endswith(form) and len(name) > len(form):
            return name[: -len(form)], form
    return name, None
