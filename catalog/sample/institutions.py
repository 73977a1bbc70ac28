"""Training institutions, evaluation institutions and satellite teaching sites (invented)."""

from __future__ import annotations

from typing import Any

from catalog import vocabulary as V
from catalog.sample.basis import Row, fmt_bool, fmt_list, sub_rng
from catalog.sample.occupations import TRACKS
from catalog.sample.places import county_prefix, jitter

# ---------------------------------------------------------------------------------------------
# Institutions: (name_zh, name_en, type, county, credit_rating, road, tracks)
# Invented sample data; some names imitate real local schools.
# ---------------------------------------------------------------------------------------------
INSTITUTIONS = [
    # 亭湖区
    ("江苏省盐城技师学院", "Jiangsu Yancheng Technician College", "technical_school", "tinghu", "AAA",
     "开放大道", ["machining", "electrical", "robot", "auto", "digital", "safety_elec", "safety_weld", "construction"]),
    ("江苏医药职业学院继续教育学院", "Jiangsu Medical Vocational College (Continuing Education)", "vocational_college", "tinghu", "AA",
     "解放南路", ["care", "homecare", "beauty"]),
    ("盐城市家庭服务业协会", "Yancheng Domestic Service Industry Association", "industry_org", "tinghu", "AA",
     "人民中路", ["homecare", "childcare"]),
    ("盐城市亭湖区新华职业培训学校", "Tinghu Xinhua Vocational Training School", "private_institution", "tinghu", "A",
     "建军东路", ["homecare", "food", "beauty", "ecom"]),
    ("盐城市残疾人职业培训基地", "Yancheng Vocational Training Base for Persons with Disabilities (provincial)", "disability_base", "tinghu", "AA",
     "青年东路", ["disab"]),
    ("盐城市安全生产协会", "Yancheng Work Safety Association", "industry_org", "tinghu", "AA",
     "文港南路", ["safety_elec", "safety_weld", "safety_height", "safety_cool", "safety_chem"]),
    ("盐城市烹饪协会", "Yancheng Culinary Association", "industry_org", "tinghu", "A",
     "毓龙西路", ["food", "hospitality"]),
    # 盐都区
    ("盐城工业职业技术学院", "Yancheng Polytechnic College", "vocational_college", "yandu", "AAA",
     "世纪大道", ["machining", "electrical", "robot", "auto", "digital", "chem", "energy"]),
    ("江苏省盐城生物工程高等职业技术学校", "Jiangsu Yancheng Bioengineering Higher Vocational School", "vocational_college", "yandu", "AA",
     "盐渎路", ["agri", "aqua", "food", "entre_agri"]),
    ("盐城市盐都区阳光职业培训学校", "Yandu Sunshine Vocational Training School", "private_institution", "yandu", "A",
     "西环路", ["homecare", "food", "security", "construction"]),
    ("盐城市盐都区农民专业合作社联合会", "Yandu Federation of Farmers' Cooperatives", "industry_org", "yandu", "A",
     "鹿鸣路", ["agri", "entre_agri"]),
    ("盐城市盐都人力资源服务有限公司", "Yandu Human Resources Services Co., Ltd.", "hr_agency", "yandu", "A",
     "盐马路", ["logistics", "ecom", "security", "entre"]),
    # 大丰区
    ("盐城市大丰中等专业学校", "Dafeng Secondary Vocational School", "vocational_college", "dafeng", "AA",
     "健康西路", ["machining", "electrical", "auto", "food", "agri"]),
    ("盐城市大丰技工学校", "Dafeng Technical School", "technical_school", "dafeng", "A",
     "常新路", ["electrical", "energy", "safety_weld", "safety_elec"]),
    ("大丰港海上风电装备职工培训中心", "Dafeng Port Offshore Wind Equipment Staff Training Centre", "enterprise", "dafeng", "AA",
     "海港大道", ["energy", "electrical", "safety_height", "safety_elec", "wat"]),
    ("盐城市大丰区恒达职业培训学校", "Dafeng Hengda Vocational Training School", "private_institution", "dafeng", "A",
     "幸福大道", ["homecare", "aqua", "construction", "ecom"]),
    ("盐城市大丰区汇才人力资源服务有限公司", "Dafeng Huicai Human Resources Services Co., Ltd.", "hr_agency", "dafeng", "B",
     "永泰路", ["logistics", "security", "entre"]),
    ("盐城市大丰区水产养殖协会", "Dafeng Aquaculture Association", "industry_org", "dafeng", "A",
     "大中街道金海路", ["aqua", "entre_agri"]),
    # 东台市
    ("东台市职业教育中心校", "Dongtai Vocational Education Centre School", "vocational_college", "dongtai", "AA",
     "望海东路", ["machining", "electronics", "food", "ecom", "agri"]),
    ("东台市高级技工学校", "Dongtai Senior Technical School", "technical_school", "dongtai", "AA",
     "海陵北路", ["electrical", "energy", "electronics", "safety_elec", "safety_weld", "safety_cool"]),
    ("东台光伏产业园职工培训中心", "Dongtai PV Industrial Park Staff Training Centre", "enterprise", "dongtai", "AA",
     "经济开发区鼓楼路", ["energy", "electronics", "wat"]),
    ("东台市惠民职业技能培训学校", "Dongtai Huimin Vocational Skills Training School", "private_institution", "dongtai", "AA",
     "北海路", ["homecare", "handicraft", "beauty"]),
    ("东台市残疾人就业培训基地", "Dongtai Employment Training Base for Persons with Disabilities", "disability_base", "dongtai", "A",
     "红兰路", ["disab"]),
    ("东台市农业产业化协会", "Dongtai Agricultural Industrialisation Association", "industry_org", "dongtai", "A",
     "迎春路", ["agri", "entre_agri"]),
    # 建湖县
    ("建湖县职业教育中心", "Jianhu Vocational Education Centre", "vocational_college", "jianhu", "A",
     "冠华西路", ["machining", "electrical", "electronics", "homecare"]),
    ("建湖县金蓝领职业培训学校", "Jianhu Golden Blue-collar Vocational Training School", "private_institution", "jianhu", "A",
     "双湖路", ["construction", "safety_weld", "safety_height", "homecare"]),
    ("建湖县残疾人职业技能培训中心", "Jianhu Vocational Skills Training Centre for Persons with Disabilities", "disability_base", "jianhu", "B",
     "湖中南路", ["disab"]),
    ("建湖石油装备产业职工培训中心", "Jianhu Petroleum Equipment Industry Staff Training Centre", "enterprise", "jianhu", "A",
     "高新区秀夫路", ["machining", "electrical", "safety_weld"]),
    # 射阳县
    ("射阳中等专业学校", "Sheyang Secondary Vocational School", "vocational_college", "sheyang", "A",
     "解放路", ["food", "auto", "agri", "ecom"]),
    ("射阳县人力资源服务有限公司", "Sheyang Human Resources Services Co., Ltd.", "hr_agency", "sheyang", "A",
     "振阳路", ["logistics", "homecare", "security", "entre"]),
    ("射阳县宏图职业培训学校", "Sheyang Hongtu Vocational Training School", "private_institution", "sheyang", "B",
     "幸福大道", ["construction", "aqua", "handicraft"]),
    ("射阳港风电运维职工培训中心", "Sheyang Port Wind Power O&M Staff Training Centre", "enterprise", "sheyang", "AA",
     "港城大道", ["energy", "safety_height", "safety_elec"]),
    # 阜宁县
    ("阜宁中等专业学校", "Funing Secondary Vocational School", "vocational_college", "funing", "A",
     "崇文路", ["machining", "electrical", "ecom", "agri"]),
    ("阜宁县鼎盛职业培训学校", "Funing Dingsheng Vocational Training School", "private_institution", "funing", "C",
     "东风路", ["homecare", "handicraft", "food"]),
    ("阜宁县人力资源服务中心有限公司", "Funing Human Resources Service Centre Co., Ltd.", "hr_agency", "funing", "A",
     "阜城大街", ["entre", "security", "logistics"]),
    ("阜宁临港冶金材料职工培训中心", "Funing Port Metallurgical Materials Staff Training Centre", "enterprise", "funing", "A",
     "澳洋工业园沪武路", ["steel", "safety_gas", "safety_weld"]),
    # 滨海县
    ("滨海中等专业学校", "Binhai Secondary Vocational School", "vocational_college", "binhai", "A",
     "人民中路", ["machining", "chem", "homecare", "auto"]),
    ("滨海县育才职业培训学校", "Binhai Yucai Vocational Training School", "private_institution", "binhai", "B",
     "黄海路", ["construction", "homecare", "agri"]),
    ("滨海港石化产业职工安全培训中心", "Binhai Port Petrochemical Industry Staff Safety Training Centre", "enterprise", "binhai", "AA",
     "滨海港经济区港城路", ["chem", "safety_chem", "safety_elec"]),
    ("滨海县农机化协会", "Binhai Agricultural Mechanisation Association", "industry_org", "binhai", "B",
     "坎北路", ["agri"]),
    # 响水县
    ("响水县中等专业学校", "Xiangshui Secondary Vocational School", "vocational_college", "xiangshui", "B",
     "灌江路", ["machining", "electrical", "homecare", "agri"]),
    ("响水县明德职业培训学校", "Xiangshui Mingde Vocational Training School", "private_institution", "xiangshui", "B",
     "双园路", ["homecare", "construction", "safety_elec", "safety_height"]),
    ("响水县劳务服务有限公司", "Xiangshui Labour Services Co., Ltd.", "hr_agency", "xiangshui", "C",
     "黄海路", ["logistics", "entre", "security"]),
    # 盐城经济技术开发区
    ("盐城机电高等职业技术学校", "Yancheng Mechanical & Electrical Higher Vocational School", "vocational_college", "etdz", "AA",
     "希望大道", ["machining", "electrical", "robot", "auto"]),
    ("盐城经开区汽车零部件产业职工培训中心", "Yancheng ETDZ Auto Parts Industry Staff Training Centre", "enterprise", "etdz", "AAA",
     "松江路", ["auto", "robot", "machining", "wat"]),
    ("盐城经开区人力资源服务产业园运营有限公司", "Yancheng ETDZ HR Service Industrial Park Operation Co., Ltd.", "hr_agency", "etdz", "AA",
     "漓江路", ["electronics", "logistics", "ecom"]),
    ("盐城光电显示产业职工培训中心", "Yancheng Optoelectronic Display Industry Staff Training Centre", "enterprise", "etdz", "AA",
     "新都东路", ["electronics", "robot"]),
    # 盐南高新区
    ("盐城幼儿师范高等专科学校继续教育中心", "Yancheng Preschool Education College (Continuing Education)", "vocational_college", "yannan", "AAA",
     "新都路", ["childcare", "homecare"]),
    ("盐城市盐南高新区数智职业培训学校", "Yannan Digital Intelligence Vocational Training School", "private_institution", "yannan", "AA",
     "范公路", ["digital", "ecom"]),
    ("盐城市大数据产业协会", "Yancheng Big Data Industry Association", "industry_org", "yannan", "AA",
     "创新大道", ["digital"]),
    ("盐城市电子商务协会", "Yancheng E-commerce Association", "industry_org", "yannan", "A",
     "文港南路", ["ecom", "entre"]),
    ("盐城市交通技工学校", "Yancheng Transport Technical School", "technical_school", "yannan", "A",
     "戴庄路", ["auto", "logistics", "construction", "safety_cool"]),
]

# Towns used for satellite teaching sites (per county).
TOWNS = {
    "tinghu": ["南洋镇", "盐东镇", "黄尖镇", "新兴镇"],
    "yandu": ["大冈镇", "龙冈镇", "大纵湖镇", "楼王镇", "秦南镇"],
    "dafeng": ["西团镇", "小海镇", "白驹镇", "刘庄镇", "草庙镇"],
    "dongtai": ["安丰镇", "富安镇", "弶港镇", "溱东镇", "三仓镇"],
    "jianhu": ["上冈镇", "庆丰镇", "九龙口镇", "宝塔镇"],
    "sheyang": ["合德镇", "临海镇", "海河镇", "黄沙港镇", "洋马镇"],
    "funing": ["沟墩镇", "益林镇", "郭墅镇", "羊寨镇"],
    "binhai": ["八滩镇", "五汛镇", "界牌镇", "滨海港镇"],
    "xiangshui": ["陈家港镇", "小尖镇", "黄圩镇", "南河镇"],
    "etdz": ["步凤镇", "新城街道"],
    "yannan": ["伍佑街道", "新河街道", "科城街道"],
}

# Skill-evaluation institutions: (name_zh, name_en, county, road, certificate types, tracks)
EVALUATION_INSTITUTIONS = [
    ("盐城市职业技能鉴定指导中心", "Yancheng Vocational Skill Testing Guidance Centre", "tinghu", "人民中路",
     ["vocational_qualification", "skill_level", "special_ability"],
     ["homecare", "care", "childcare", "food", "beauty", "security", "ecom", "logistics", "handicraft", "disab", "hospitality"]),
    ("江苏省盐城技师学院职业技能等级认定中心", "Jiangsu Yancheng Technician College Skill Level Certification Centre", "tinghu", "开放大道",
     ["skill_level"], ["machining", "electrical", "robot", "auto", "construction", "wat"]),
    ("盐城工业职业技术学院社会评价组织", "Yancheng Polytechnic College Social Evaluation Organisation", "yandu", "世纪大道",
     ["skill_level"], ["machining", "electrical", "robot", "digital", "chem", "energy", "electronics"]),
    ("盐城市应急管理局特种作业考试点（市安全生产协会）", "Yancheng Special Operation Examination Centre", "tinghu", "文港南路",
     ["special_operation"], ["safety_elec", "safety_weld", "safety_height", "safety_cool", "safety_chem", "safety_gas"]),
    ("盐城市家庭服务业协会技能评价站", "Yancheng Domestic Service Association Skill Evaluation Station", "tinghu", "人民中路",
     ["skill_level", "special_ability"], ["homecare", "childcare", "care"]),
    ("东台市职业技能鉴定所", "Dongtai Vocational Skill Testing Institute", "dongtai", "望海东路",
     ["skill_level", "special_ability"], ["handicraft", "energy", "electronics", "food", "agri", "homecare"]),
    ("大丰区职业技能等级认定服务站", "Dafeng Skill Level Certification Service Station", "dafeng", "健康西路",
     ["skill_level", "special_ability"], ["energy", "aqua", "agri", "construction", "homecare"]),
    ("盐城市农业职业技能鉴定站", "Yancheng Agricultural Vocational Skill Testing Station", "yandu", "盐渎路",
     ["skill_level", "special_ability"], ["agri", "aqua", "entre_agri"]),
    ("盐城经开区企业技能等级认定联合体", "Yancheng ETDZ Enterprise Skill Level Certification Consortium", "etdz", "松江路",
     ["skill_level"], ["auto", "robot", "electronics", "machining", "logistics", "wat"]),
    ("盐城市数字经济人才评价中心", "Yancheng Digital Economy Talent Evaluation Centre", "yannan", "创新大道",
     ["skill_level", "special_ability"], ["digital", "ecom"]),
    ("滨海县化工行业技能评价中心", "Binhai Chemical Industry Skill Evaluation Centre", "binhai", "港城路",
     ["skill_level"], ["chem", "steel"]),
]

ROADS_EXTRA = ["东路", "西路", "南路", "北路", "大道", "路"]


def build_institutions() -> tuple[list[Row], list[dict[str, Any]]]:
    rows = []
    meta = []
    for i, (zh, en, typ, county, rating, road, tracks) in enumerate(INSTITUTIONS, start=1):
        code = f"YC-INST-{i:03d}"
        rng = sub_rng("inst", code)
        _, _, clat, clon = V.COUNTIES[county]
        lat, lon = jitter(rng, clat, clon, 7.0)
        num = rng.randint(1, 399)
        road_full = road if road.endswith(("路", "道", "街")) else road + "路"
        address = f"{county_prefix(county)}{road_full}{num}号"
        phone = "0515-8" + "".join(str(rng.randint(0, 9)) for _ in range(7))
        rows.append({
            "code": code, "name_zh": zh, "name_en": en, "type": typ, "county": county,
            "address": address, "lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "credit_rating": rating,
            "disability_base": fmt_bool(typ == "disability_base"), "phone": phone,
        })
        meta.append({"code": code, "type": typ, "county": county, "tracks": tracks,
                     "lat": lat, "lon": lon, "address": address, "name_zh": zh})
    return rows, meta


def build_evaluation_institutions() -> list[Row]:
    rows = []
    for i, (zh, en, county, road, certs, tracks) in enumerate(EVALUATION_INSTITUTIONS, start=1):
        code = f"YC-EVAL-{i:02d}"
        rng = sub_rng("eval", code)
        _, _, clat, clon = V.COUNTIES[county]
        lat, lon = jitter(rng, clat, clon, 6.0)
        occs: list[str] = []
        for t in tracks:
            for occ, _ in TRACKS[t]:
                if occ not in occs:
                    occs.append(occ)
        if certs == ["special_operation"]:
            occs = [o for o in occs if o.startswith("SO-")]
        else:
            occs = [o for o in occs if not o.startswith("SO-")]
        occs.sort()
        rows.append({
            "code": code, "name_zh": zh, "name_en": en, "county": county,
            "address": f"{county_prefix(county)}{road}{rng.randint(1, 299)}号",
            "lat": f"{lat:.6f}", "lon": f"{lon:.6f}",
            "certificate_types": fmt_list(certs), "occupation_codes": fmt_list(occs),
        })
    return rows


def build_satellite_sites() -> dict[str, list[dict[str, Any]]]:
    sites = {}
    for county in V.COUNTIES:
        _, _, clat, clon = V.COUNTIES[county]
        lst = []
        for town in TOWNS[county]:
            rng = sub_rng("site", county, town)
            lat, lon = jitter(rng, clat, clon, 8.0, 2.0)
            lst.append({"town": town, "lat": lat, "lon": lon})
        sites[county] = lst
    return sites
