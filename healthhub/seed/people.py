"""Realistic, clearly fictitious Chinese people for demo and benchmark data."""
import random
from dataclasses import dataclass
from datetime import date, timedelta

from healthhub.core.identity_numbers import make_resident_id
from healthhub.seed.places import Place

# Most common surnames (China's 2020 census ranking) and characters frequent in given names.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常"
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志文博"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英慧玲婷雪琳晶颖倩琴云莉兰凤洁梅佳悦欣怡萍红燕"


@dataclass(frozen=True)
class Person:
    name: str
    sex: str
    birth_date: date
    id_number: str
    mobile: str
    district: Place


def make_person(rng: random.Random, district: Place, *, min_age: int = 18, max_age: int = 85,
                today: date = date(2026, 11, 23)) -> Person:
    female = rng.random() < 0.5
    pool = GIVEN_FEMALE if female else GIVEN_MALE
    given = "".join(rng.choice(pool) for _ in range(rng.choice((1, 2))))
    birth = today - timedelta(days=rng.randint(min_age * 365 + 1, max_age * 365))
    id_number = make_resident_id(district.adcode, birth, rng.randint(0, 999), female=female)
    mobile = rng.choice(("138", "139", "150", "186", "177", "135", "188")) + f"{rng.randint(0, 99_999_999):08d}"
    return Person(rng.choice(SURNAMES) + given, "F" if female else "M", birth, id_number, mobile, district)
