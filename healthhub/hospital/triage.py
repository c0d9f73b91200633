"""Department suggestion from the patient's own words. A keyword seam: `suggest_department`
keeps its signature when an AI triage model replaces the keyword table."""
# Words patients use, per department (the 20 triage departments of the shared data set and ours).
KEYWORDS: dict[str, tuple[str, ...]] = {
    "呼吸内科": ("咳嗽", "咳痰", "气喘", "哮喘", "肺", "胸闷", "气短", "支气管", "感冒", "发热", "发烧"),
    "心内科": ("心慌", "心悸", "胸痛", "血压", "高血压", "心脏", "冠心病", "心律"),
    "内分泌科": ("血糖", "糖尿病", "胰岛素", "甲亢", "甲减", "肥胖"),
    "甲状腺疾病": ("甲状腺", "甲亢", "甲减", "结节"),
    "消化内科": ("胃", "腹痛", "腹泻", "便秘", "反酸", "恶心", "呕吐", "肝", "胃炎"),
    "皮肤科": ("皮疹", "瘙痒", "痘", "湿疹", "皮肤", "脱发", "癣", "过敏"),
    "神经内科": ("头痛", "头晕", "失眠", "麻木", "癫痫", "中风"),
    "眼科": ("眼", "视力", "近视", "眼睛", "干眼"),
    "咽喉疾病": ("咽", "喉咙", "嗓子", "扁桃体", "声音嘶哑"),
    "骨科": ("骨折", "关节", "骨", "腰痛", "膝盖"),
    "脊柱退行性变": ("颈椎", "腰椎", "椎间盘", "脊柱"),
    "运动医学": ("运动", "韧带", "半月板", "扭伤"),
    "妇产科": ("月经", "白带", "妇科", "子宫", "卵巢", "怀孕"),
    "产前检查": ("孕", "产检", "胎儿", "孕周"),
    "乳腺外科": ("乳腺", "乳房", "乳头"),
    "直肠肛管疾病": ("痔", "肛门", "便血", "肛"),
    "小儿保健": ("宝宝", "婴儿", "疫苗", "发育", "喂养"),
    "小儿呼吸系统疾病": ("孩子咳嗽", "宝宝咳嗽", "小儿肺炎", "孩子发烧"),
    "小儿消化疾病": ("宝宝腹泻", "孩子呕吐", "小儿便秘", "宝宝拉肚子"),
    "小儿耳鼻喉": ("孩子鼻炎", "宝宝中耳炎", "腺样体"),
    "内科": ("乏力", "不舒服", "体检"),
    "全科": ("慢病", "慢性病", "随访"),
}
PEDIATRIC_HINTS = ("宝宝", "孩子", "小孩", "儿童", "婴儿", "小儿")


def suggest_department(text: str) -> list[tuple[str, float]]:
    """Departments ranked by keyword evidence, scores in 0..1 summing to 1; [] when nothing matched."""
    text = text.strip()
    if not text:
        return []
    scores: dict[str, float] = {}
    for department, words in KEYWORDS.items():
        # Longer keywords are more specific ("孩子咳嗽" over "咳嗽").
        hits = sum(len(word) for word in words if word in text)
        if department.startswith("小儿") and any(h in text for h in PEDIATRIC_HINTS):
            hits *= 2
        if hits:
            scores[department] = hits
    total = sum(scores.values())
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return [(department, round(score / total, 3)) for department, score in ranked]
