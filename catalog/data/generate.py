#!/usr/bin/env python3
"""Generate the bundled *sample* catalog for the Yancheng skills-upgrading plan.

    python catalog/data/generate.py                 # rewrite the CSVs (and README.md) next to this file
    python catalog/data/generate.py --check         # only validate the CSVs already there
    python catalog/data/generate.py --occupations-dir /path/to/shared/data/occupations

Standard library only. Deterministic: every random choice comes from ``random.Random`` seeded with
SEED (or a string derived from it), nothing iterates over a set, so two runs give byte-identical
files. Occupation codes and Chinese names are checked against the 2022 national classification
(``codes_detail_with_flags.csv``) and the special-operations catalogue (``special_operations.csv``).

This is SAMPLE DATA for development and tests: institution names, addresses, phones, ratings,
courses and subsidy amounts are invented (some names imitate real local schools), not official.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

from catalog import vocabulary
from policy.catalog_check import reserved_group_refusals
from policy.profile import CourseFacts

SEED = 20261129
TODAY = dt.date(2026, 11, 29)  # the reference "today" the sample data is built around
FIRST_MONTH = (2026, 9)
LAST_MONTH = (2027, 12)

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
DEFAULT_OCC_DIR = REPO_ROOT / "catalog" / "reference"  # copies of the shared reference CSVs


V = vocabulary

CATEGORIES = (
    "modern_services", "advanced_manufacturing", "digital", "construction", "agriculture",
    "safety", "transport", "handicraft", "healthcare", "business",
)

# Key groups for free training (R10 default reading).
KEY_GROUPS = (
    "two_after_youth", "unemployed_graduate", "laid_off_unemployed", "veteran",
    "employment_difficulty", "disabled", "low_income_household", "dibao",
    "zero_employment_family", "poor_labor", "community_correction",
)

# ---------------------------------------------------------------------------------------------
# Occupations: (code, name_en, category, access_restricted, levels)
# Chinese names are NOT typed here: they are read from the reference CSVs (single source).
# ---------------------------------------------------------------------------------------------
L5 = (5, 4, 3, 2, 1)
L3 = (5, 4, 3)
OCCUPATIONS: list[tuple[str, str, str, bool, tuple[int, ...]]] = [
    # modern services / healthcare
    ("4-10-01-06", "Housekeeping Worker", "modern_services", False, L5),
    ("4-10-01-05", "Elderly Care Worker", "modern_services", False, L5),
    ("4-10-01-03", "Childcare Worker (Nursery)", "modern_services", False, L5),
    ("4-10-01-01", "Infant Development Guide", "modern_services", False, L3),
    ("4-14-01-02", "Medical Care Aide", "healthcare", False, (5, 4)),
    ("4-14-01-03", "Health Caregiver", "healthcare", False, (5, 4, 3, 2)),
    ("4-10-04-02", "Health Massage Therapist", "healthcare", False, L5),
    ("4-03-02-01", "Chinese Cuisine Cook", "modern_services", False, L5),
    ("4-03-02-02", "Chinese Pastry Cook", "modern_services", False, L5),
    ("4-03-02-07", "Tea Art Specialist", "modern_services", False, L5),
    ("4-10-03-02", "Hairdresser", "modern_services", False, L5),
    ("4-10-03-01", "Beautician", "modern_services", False, L5),
    ("4-09-08-01", "Cleaner", "modern_services", False, L3),
    ("4-06-01-01", "Property Manager", "modern_services", False, (4, 3, 2)),
    ("4-07-05-01", "Security Guard", "modern_services", True, L5),
    ("4-07-05-03", "Fire Facility Operator", "modern_services", True, L5),
    ("4-14-06-02", "Homestay Butler", "modern_services", False, L5),
    # business
    ("4-01-06-01", "E-commerce Specialist", "business", False, L5),
    ("4-01-06-02", "Internet Marketing Specialist (live-stream sales)", "business", False, L5),
    ("4-13-01-05", "All-media Operator", "business", False, L5),
    ("4-04-05-03", "Call Center Agent", "business", False, L5),
    ("4-07-02-03", "Customer Service Administrator", "business", False, L5),
    ("4-07-03-03", "Entrepreneurship Adviser (used for general SYB/GYB/IYB courses)", "business", False, (3, 2, 1)),
    # transport & logistics
    ("4-12-01-01", "Automobile Repair Technician", "transport", False, L5),
    ("4-12-01-03", "Battery & Battery System Maintenance Technician (EV)", "transport", False, L5),
    ("4-02-06-03", "Logistics Service Specialist", "transport", False, L5),
    ("4-02-06-01", "Warehouse Keeper", "transport", False, L5),
    ("4-02-07-08", "Courier", "transport", False, L5),
    ("4-10-08-01", "Online Delivery Rider", "transport", False, L3),
    ("6-30-01-00", "Special-purpose Vehicle Driver (forklift)", "transport", True, L3),
    # digital
    ("2-02-38-01", "Artificial Intelligence Engineering Technician", "digital", False, L3),
    ("2-02-38-02", "Internet of Things Engineering Technician", "digital", False, L3),
    ("2-02-38-03", "Big Data Engineering Technician", "digital", False, L3),
    ("2-02-38-04", "Cloud Computing Engineering Technician", "digital", False, L3),
    ("2-02-38-05", "Intelligent Manufacturing Engineering Technician", "digital", False, L3),
    ("2-02-38-06", "Industrial Internet Engineering Technician", "digital", False, L3),
    ("4-04-05-05", "Artificial Intelligence Trainer (data annotation)", "digital", False, L5),
    ("4-04-05-01", "Computer Programmer", "digital", False, (4, 3, 2, 1)),
    ("4-04-04-02", "Network & Information Security Administrator", "digital", False, L5),
    ("6-25-04-09", "IoT Installation & Commissioning Technician", "digital", False, L5),
    # advanced manufacturing: robots, electrical, welding, machining
    ("6-31-07-03", "Industrial Robot System Operator", "advanced_manufacturing", False, L5),
    ("6-31-07-01", "Industrial Robot System Maintainer", "advanced_manufacturing", False, L5),
    ("6-31-01-03", "Electrician", "advanced_manufacturing", True, L5),
    ("6-18-02-04", "Welder", "advanced_manufacturing", True, L5),
    ("6-18-01-07", "Multi-process CNC Machine Tool Operator", "advanced_manufacturing", False, L5),
    ("6-18-01-01", "Lathe Operator", "advanced_manufacturing", False, L5),
    ("6-20-01-01", "Assembly Fitter", "advanced_manufacturing", False, L5),
    ("6-18-04-01", "Die & Mould Maker", "advanced_manufacturing", False, L5),
    ("6-31-01-02", "Maintenance Fitter", "advanced_manufacturing", False, L5),
    ("6-31-01-10", "Electromechanical Equipment Maintainer", "advanced_manufacturing", False, L5),
    ("6-31-03-05", "Quality Inspector", "advanced_manufacturing", False, L5),
    # automobile cluster
    ("6-22-02-01", "Automobile Assembly & Commissioning Worker", "advanced_manufacturing", False, L5),
    ("6-22-01-01", "Automobile Production Line Operator", "advanced_manufacturing", False, L5),
    ("6-18-03-03", "Coating (Painting) Worker", "advanced_manufacturing", False, L5),
    # new energy: wind, PV, batteries
    ("6-20-02-04", "Wind Turbine Manufacturing Worker", "advanced_manufacturing", False, L5),
    ("6-28-01-12", "Wind Power Operation & Maintenance Operator", "advanced_manufacturing", False, L5),
    ("6-24-02-04", "Photovoltaic Module Manufacturing Worker", "advanced_manufacturing", False, L5),
    ("6-28-01-10", "Photovoltaic Power Operation & Maintenance Operator", "advanced_manufacturing", False, L5),
    ("6-24-04-00", "Battery Manufacturing Worker", "advanced_manufacturing", False, L5),
    # electronics
    ("6-25-04-07", "Electronic Equipment Assembler", "advanced_manufacturing", False, L5),
    ("6-25-02-03", "Liquid Crystal Display Device Manufacturing Worker", "advanced_manufacturing", False, L5),
    ("6-25-02-05", "Semiconductor Chip Manufacturing Worker", "advanced_manufacturing", False, L5),
    ("6-25-04-05", "Smart Hardware Assembly & Commissioning Worker", "advanced_manufacturing", False, L5),
    # steel
    ("6-17-02-02", "Steelmaking Worker", "advanced_manufacturing", False, L5),
    ("6-17-09-02", "Metal Rolling Worker", "advanced_manufacturing", False, L5),
    ("6-17-01-06", "Blast Furnace Ironmaking Worker", "advanced_manufacturing", False, L5),
    # chemicals
    ("6-11-01-03", "Chemical Process General Control Operator", "advanced_manufacturing", False, L5),
    ("6-11-01-02", "Chemical Unit Operation Worker", "advanced_manufacturing", False, L5),
    ("6-31-03-01", "Chemical Analyst", "advanced_manufacturing", False, L5),
    ("6-28-03-03", "Industrial Wastewater Treatment Worker", "advanced_manufacturing", False, L5),
    # handicraft
    ("6-09-03-11", "Drawnwork & Embroidery Worker (incl. Dongtai hair embroidery)", "handicraft", False, L5),
    ("6-05-01-06", "Knitting & Patchwork Worker", "handicraft", False, L3),
    ("6-09-03-17", "Folk Handicraft Maker (straw & wicker weaving)", "handicraft", False, L5),
    ("6-09-03-01", "Handicraft Carver", "handicraft", False, L5),
    # construction
    ("6-29-01-01", "Bricklayer", "construction", False, L5),
    ("6-29-01-04", "Steel-bar Worker", "construction", False, L5),
    ("6-29-01-05", "Scaffolder", "construction", True, L5),
    ("6-29-04-01", "Decoration & Finishing Worker", "construction", False, L5),
    ("6-29-02-15", "Pipe Worker (plumber)", "construction", False, L5),
    ("6-29-01-06", "Prefabricated Building Construction Worker", "construction", False, L3),
    ("6-29-01-07", "Rural Construction Craftsman", "construction", False, L3),
    ("6-30-05-01", "Hoisting & Loading Machinery Operator", "construction", True, L5),
    ("6-30-05-05", "Excavator, Loader & Piling Machine Operator", "construction", False, L5),
    ("6-29-02-08", "Waterproofing Worker", "construction", False, L5),
    ("6-29-03-03", "Elevator Installer & Maintainer", "construction", True, L5),
    ("4-08-08-23", "Building Information Modelling (BIM) Technician", "construction", False, L3),
    # agriculture & aquaculture
    ("5-05-01-02", "Agricultural Manager", "agriculture", False, (4, 3, 2)),
    ("5-01-02-01", "Agronomy Worker", "agriculture", False, L5),
    ("5-01-02-02", "Horticulture Worker", "agriculture", False, L5),
    ("5-05-05-01", "Agricultural Machinery Operator", "agriculture", False, L5),
    ("5-05-05-02", "Agricultural Machinery Repairer", "agriculture", False, L5),
    ("5-05-02-01", "Crop Protection Worker", "agriculture", False, L5),
    ("5-05-01-03", "Agricultural Digitalisation Technician", "agriculture", False, L3),
    ("5-01-02-03", "Edible Fungi Grower", "agriculture", False, L5),
    ("5-03-02-02", "Poultry Breeder", "agriculture", False, L5),
    ("5-04-02-01", "Aquatic Animal Farmer", "agriculture", False, L5),
    ("5-04-01-01", "Aquatic Animal Seedling Breeder", "agriculture", False, L5),
    ("5-05-02-05", "Aquatic Disease Control Worker", "agriculture", False, L5),
    ("5-05-06-07", "Aquatic Product Raw-material Processor", "agriculture", False, L3),
    ("4-07-04-06", "Leisure Agriculture Service Worker", "agriculture", False, L3),
    ("4-02-04-06", "UAV Pilot (crop-protection drones)", "agriculture", False, L5),
]

# Special operations (特种作业), code SO-<item_no>; Chinese names come from special_operations.csv.
SPECIAL_OPERATIONS: list[tuple[str, str]] = [
    ("1.1", "High-voltage Electrician Operation"),
    ("1.2", "Low-voltage Electrician Operation"),
    ("1.3", "Explosion-proof Electrical Operation"),
    ("2.1", "Fusion Welding & Thermal Cutting"),
    ("2.2", "Pressure Welding"),
    ("2.3", "Brazing & Soldering"),
    ("3.1", "Scaffold Erection at Height"),
    ("3.2", "Installation, Maintenance & Dismantling at Height"),
    ("4.1", "Refrigeration & Air-conditioning Equipment Operation"),
    ("4.2", "Refrigeration & Air-conditioning Equipment Installation & Repair"),
    ("8.1", "Gas Operation (metallurgy)"),
    ("9.2", "Chlor-alkali Electrolysis Process Operation"),
    ("9.3", "Chlorination Process Operation"),
    ("9.4", "Nitration Process Operation"),
    ("9.8", "Hydrogenation Process Operation"),
    ("9.14", "Polymerization Process Operation"),
    ("9.16", "Chemical Automation Control Instrument Operation"),
]

# Occupations the plan names explicitly (§4 of the domain brief): must be present everywhere.
PLAN_NAMED = (
    "4-10-01-06", "4-10-01-05", "4-10-01-03", "4-10-01-01", "4-07-05-01", "4-01-06-01",
    "4-12-01-01", "6-31-01-03", "6-09-03-11", "6-05-01-06", "6-09-03-17",
    "2-02-38-01", "2-02-38-02", "2-02-38-03", "2-02-38-04", "6-31-07-03", "6-31-07-01",
    "6-18-02-04",
)

# Named 专项职业能力 (special vocational ability) items per occupation; only these occupations
# get special_ability courses.
SPECIAL_ABILITY = {
    "4-10-01-06": ("母婴护理", "Maternal & Infant Care"),
    "4-10-01-05": ("失能老人照护", "Care for Disabled Elderly"),
    "4-03-02-02": ("中式面点制作", "Chinese Pastry Making"),
    "4-01-06-01": ("网店运营", "Online Shop Operation"),
    "4-10-04-02": ("保健按摩", "Health Massage"),
    "4-04-05-03": ("客户服务（呼叫中心）", "Call-centre Customer Service"),
    "6-09-03-11": ("东台发绣制作", "Dongtai Hair Embroidery"),
    "6-09-03-17": ("草柳编织", "Straw & Wicker Weaving"),
    "6-05-01-06": ("手工编织", "Hand Knitting"),
    "6-09-03-01": ("木雕", "Wood Carving"),
    "5-04-02-01": ("河蟹生态养殖", "Ecological Crab Farming"),
    "5-01-02-03": ("食用菌栽培", "Edible Fungi Cultivation"),
}

# Occupation groups ("tracks") an institution teaches; weights favour the plan-named ones.
TRACKS: dict[str, list[tuple[str, int]]] = {
    "homecare": [("4-10-01-06", 5), ("4-10-01-05", 5), ("4-10-01-03", 3), ("4-10-01-01", 3),
                 ("4-14-01-02", 2), ("4-14-01-03", 1), ("4-09-08-01", 1)],
    "care": [("4-10-01-05", 4), ("4-14-01-02", 4), ("4-14-01-03", 3), ("4-10-04-02", 1)],
    "childcare": [("4-10-01-03", 4), ("4-10-01-01", 4), ("4-10-01-06", 1)],
    "food": [("4-03-02-01", 4), ("4-03-02-02", 3), ("4-03-02-07", 1)],
    "beauty": [("4-10-03-02", 3), ("4-10-03-01", 2), ("4-10-04-02", 1)],
    "security": [("4-07-05-01", 5), ("4-07-05-03", 3), ("4-06-01-01", 1)],
    "ecom": [("4-01-06-01", 5), ("4-01-06-02", 3), ("4-13-01-05", 2), ("4-04-05-03", 2),
             ("4-07-02-03", 1)],
    "logistics": [("4-02-06-03", 3), ("4-02-06-01", 2), ("4-02-07-08", 2), ("4-10-08-01", 1),
                  ("6-30-01-00", 2)],
    "auto": [("4-12-01-01", 5), ("4-12-01-03", 3), ("6-22-02-01", 2), ("6-22-01-01", 2),
             ("6-18-03-03", 1)],
    "machining": [("6-18-01-07", 3), ("6-18-01-01", 2), ("6-20-01-01", 2), ("6-18-04-01", 1),
                  ("6-31-01-02", 2), ("6-31-01-10", 2), ("6-31-03-05", 1)],
    "electrical": [("6-31-01-03", 6), ("6-18-02-04", 5), ("6-31-07-03", 2), ("6-25-04-07", 1)],
    "robot": [("6-31-07-03", 4), ("6-31-07-01", 4), ("2-02-38-05", 1)],
    "energy": [("6-20-02-04", 2), ("6-28-01-12", 3), ("6-24-02-04", 2), ("6-28-01-10", 2),
               ("6-24-04-00", 2)],
    "electronics": [("6-25-04-07", 3), ("6-25-02-03", 2), ("6-25-02-05", 2), ("6-25-04-09", 2),
                    ("6-25-04-05", 2)],
    "steel": [("6-17-02-02", 3), ("6-17-09-02", 3), ("6-17-01-06", 2), ("6-18-02-04", 1)],
    "chem": [("6-11-01-03", 4), ("6-11-01-02", 3), ("6-31-03-01", 2), ("6-28-03-03", 2)],
    "digital": [("2-02-38-01", 3), ("2-02-38-02", 3), ("2-02-38-03", 3), ("2-02-38-04", 3),
                ("2-02-38-06", 1), ("4-04-05-05", 2), ("4-04-05-01", 1), ("4-04-04-02", 1)],
    "handicraft": [("6-09-03-11", 4), ("6-05-01-06", 3), ("6-09-03-17", 3), ("6-09-03-01", 1)],
    "agri": [("5-05-01-02", 3), ("5-01-02-01", 3), ("5-01-02-02", 2), ("5-05-05-01", 3),
             ("5-05-05-02", 2), ("5-05-02-01", 2), ("5-05-01-03", 1), ("5-01-02-03", 2),
             ("5-03-02-02", 1), ("4-02-04-06", 2), ("4-07-04-06", 1)],
    "aqua": [("5-04-02-01", 5), ("5-04-01-01", 2), ("5-05-02-05", 2), ("5-05-06-07", 1)],
    "construction": [("6-29-01-01", 2), ("6-29-01-04", 2), ("6-29-01-05", 2), ("6-29-04-01", 3),
                     ("6-29-02-15", 2), ("6-29-01-06", 2), ("6-29-01-07", 2), ("6-30-05-01", 1),
                     ("6-30-05-05", 2), ("6-29-02-08", 1), ("6-29-03-03", 1), ("4-08-08-23", 1)],
    "safety_elec": [("SO-1.2", 6), ("SO-1.1", 3), ("SO-1.3", 1)],
    "safety_weld": [("SO-2.1", 6), ("SO-2.2", 1), ("SO-2.3", 1)],
    "safety_height": [("SO-3.1", 2), ("SO-3.2", 3)],
    "safety_cool": [("SO-4.1", 1), ("SO-4.2", 2)],
    "safety_chem": [("SO-9.16", 3), ("SO-9.2", 1), ("SO-9.3", 2), ("SO-9.4", 1), ("SO-9.8", 2),
                    ("SO-9.14", 2), ("SO-8.1", 1)],
    "safety_gas": [("SO-8.1", 3), ("SO-1.2", 1)],
    "entre": [("4-07-03-03", 6), ("4-01-06-01", 2), ("5-05-01-02", 1), ("4-14-06-02", 1)],
    "entre_agri": [("5-05-01-02", 3), ("4-07-03-03", 2), ("4-14-06-02", 1)],
    "disab": [("4-10-04-02", 4), ("4-01-06-01", 3), ("4-04-05-03", 3), ("6-09-03-11", 2),
              ("6-05-01-06", 2), ("4-03-02-02", 2), ("4-10-01-06", 1), ("6-09-03-17", 1)],
    "hospitality": [("4-14-06-02", 2), ("4-03-02-07", 1), ("4-07-04-06", 1)],
    "wat": [("6-22-01-01", 1), ("6-24-02-04", 1), ("6-25-04-07", 1), ("4-09-08-01", 1)],
}

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

# Month weights for course starts (2026-09 .. 2027-12); today = 2026-11-29.
MONTH_WEIGHTS = {
    (2026, 9): 4, (2026, 10): 5, (2026, 11): 6, (2026, 12): 13,
    (2027, 1): 12, (2027, 2): 8, (2027, 3): 14, (2027, 4): 8, (2027, 5): 6, (2027, 6): 5,
    (2027, 7): 4, (2027, 8): 4, (2027, 9): 5, (2027, 10): 4, (2027, 11): 3, (2027, 12): 3,
}

COURSES_PER_TYPE = {
    "technical_school": (20, 26), "vocational_college": (14, 20), "enterprise": (10, 14),
    "private_institution": (12, 17), "hr_agency": (9, 13), "industry_org": (8, 12),
    "disability_base": (8, 10),
}

LEVEL_ZH = {5: "初级", 4: "中级", 3: "高级", 2: "技师", 1: "高级技师"}
LEVEL_EN = {5: "Level 5 / Elementary", 4: "Level 4 / Intermediate", 3: "Level 3 / Advanced",
            2: "Level 2 / Technician", 1: "Level 1 / Senior Technician"}
TYPE_TITLE = {
    "pre_job": ("岗前培训班", "Pre-job Training"),
    "skill_upgrade": ("岗位技能提升培训班", "On-the-job Skill Upgrading"),
    "transfer": ("转岗转业培训班", "Job-transfer Training"),
    "apprenticeship": ("企业新型学徒制培训班", "New-style Enterprise Apprenticeship"),
    "employment_skills": ("就业技能培训班", "Employment Skills Training"),
    "entrepreneurship": ("创业培训班", "Entrepreneurship Training"),
    "safety": ("安全技能培训班", "Safety Skills Training"),
    "work_as_training": ("以工代训班", "Work-as-Training"),
}
MONTH_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# Subsidy ranges (CNY per trainee, local standard; invented but in the usual Jiangsu order).
LEVEL_SUBSIDY = {5: (800, 1200), 4: (1200, 1800), 3: (1800, 2500), 2: (2500, 3500), 1: (3500, 4500)}
SO_SUBSIDY = (600, 1200)
ENTRE_SUBSIDY = (1500, 2000)
SPECIAL_ABILITY_SUBSIDY = (600, 1000)
COMPLETION_SUBSIDY = (400, 700)
WAT_SUBSIDY_PER_MONTH = 500

# Subsidized-occupation lists per county: (county, effective_date, excluded occupation codes).
SUBSIDIZED_LISTS = [
    ("dafeng", "2026-01-01", ["6-17-02-02", "6-17-09-02", "6-17-01-06", "6-25-02-05", "4-03-02-07",
                              "4-10-03-01", "6-29-02-08", "SO-9.4", "4-13-01-05", "4-01-06-02",
                              "5-05-06-07", "6-30-05-05"]),
    ("dongtai", "2025-07-01", ["2-02-38-06", "6-17-02-02", "6-17-09-02", "6-17-01-06", "4-10-03-01",
                               "4-03-02-07", "6-18-04-01", "4-13-01-05", "4-01-06-02", "SO-9.2",
                               "6-24-04-00", "4-12-01-03"]),
    ("dongtai", "2026-09-01", ["2-02-38-06", "6-17-02-02", "6-17-09-02", "6-17-01-06", "4-10-03-01",
                               "4-03-02-07", "6-18-04-01", "SO-9.2", "5-05-06-07", "6-31-03-05",
                               "4-09-08-01"]),
    ("sheyang", "2026-04-01", ["6-25-02-03", "6-25-02-05", "6-17-01-06", "4-10-03-01", "4-04-05-01",
                               "6-29-03-03", "SO-9.14", "4-03-02-07", "6-18-03-03", "4-06-01-01",
                               "6-30-01-00", "5-03-02-02"]),
    ("binhai", "2025-10-01", ["6-24-02-04", "6-28-01-10", "6-25-02-03", "4-10-03-01", "4-10-03-02",
                              "4-14-06-02", "6-09-03-01", "4-03-02-07", "6-18-03-03", "5-01-02-03",
                              "6-29-01-04", "SO-9.3"]),
]

# City-wide shortage list: older (2025-01-01) and newer (2026-07-01).
SHORTAGE_OLD = {
    # plan-named
    "4-10-01-06": 1, "4-10-01-05": 1, "4-10-01-03": 1, "4-10-01-01": 2, "4-07-05-01": 2,
    "4-01-06-01": 1, "4-12-01-01": 2, "6-31-01-03": 1, "6-09-03-11": 3, "6-05-01-06": 3,
    "6-09-03-17": 3, "2-02-38-01": 1, "2-02-38-02": 1, "2-02-38-03": 1, "2-02-38-04": 1,
    "6-31-07-03": 1, "6-31-07-01": 1, "6-18-02-04": 1,
    # clusters
    "6-22-02-01": 2, "6-22-01-01": 2, "6-18-01-07": 1, "6-20-01-01": 2, "6-31-01-02": 2,
    "6-31-01-10": 2, "6-20-02-04": 2, "6-28-01-12": 1, "6-24-02-04": 2, "6-28-01-10": 2,
    "6-25-04-07": 3, "6-25-02-03": 2, "6-17-01-06": 3, "6-17-09-02": 3, "6-11-01-03": 1,
    "6-11-01-02": 2, "4-14-01-02": 1, "4-03-02-01": 2, "4-10-03-02": 3, "4-02-06-03": 2,
    "4-04-05-03": 3, "4-10-08-01": 3, "5-05-05-01": 2, "5-05-01-02": 2, "5-04-02-01": 3,
    "6-29-01-06": 2, "6-29-04-01": 3,
}
SHORTAGE_REMOVED = ("6-17-01-06", "4-10-08-01", "6-25-02-03", "6-29-04-01")
SHORTAGE_ADDED = {"4-12-01-03": 1, "2-02-38-05": 1, "4-04-05-05": 2, "5-05-01-03": 2,
                  "6-24-04-00": 1, "4-14-01-03": 2}
SHORTAGE_CHANGED = {"4-01-06-01": 2, "6-25-04-07": 2, "4-10-01-01": 1, "6-28-01-10": 1,
                    "4-03-02-01": 3}


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def sub_rng(*key) -> random.Random:
    """A deterministic RNG for one key (string seeding is hash-randomisation independent)."""
    return random.Random(f"{SEED}:" + ":".join(str(k) for k in key))


def jitter(rng: random.Random, lat: float, lon: float, max_km: float, min_km: float = 0.3):
    d = rng.uniform(min_km, max_km)
    theta = rng.uniform(0, 2 * math.pi)
    dlat = d * math.cos(theta) / 111.0
    dlon = d * math.sin(theta) / (111.0 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def km_between(lat1, lon1, lat2, lon2) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def weighted(rng: random.Random, items):
    """items: list of (value, weight)."""
    total = sum(w for _, w in items)
    x = rng.uniform(0, total)
    acc = 0.0
    for v, w in items:
        acc += w
        if x <= acc:
            return v
    return items[-1][0]


def round10(x: float) -> int:
    return int(round(x / 10.0)) * 10


def round_hours(h: float) -> int:
    h = int(round(h / 8.0)) * 8
    return max(16, min(200, h))


def fmt_bool(b: bool) -> str:
    return "true" if b else "false"


def fmt_list(xs) -> str:
    return "|".join(str(x) for x in xs)


def months_range():
    y, m = FIRST_MONTH
    out = []
    while (y, m) <= LAST_MONTH:
        out.append((y, m))
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def county_prefix(county: str) -> str:
    zh = V.COUNTIES[county][0]
    if county == "dongtai":
        return "江苏省东台市"
    if county == "etdz":
        return "江苏省盐城市经济技术开发区"
    return "江苏省盐城市" + zh


# ---------------------------------------------------------------------------------------------
# reference data
# ---------------------------------------------------------------------------------------------

def load_reference(occ_dir: Path):
    codes: dict[str, str] = {}
    with open(occ_dir / "codes_detail_with_flags.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            codes[row["code"].strip()] = row["name_zh"].strip()
    so: dict[str, str] = {}
    with open(occ_dir / "special_operations.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row["item_no"].strip():
                so[row["item_no"].strip()] = row["item"].strip()
    assert len(codes) > 1000, f"unexpected reference size {len(codes)}"
    return codes, so


# ---------------------------------------------------------------------------------------------
# builders
# ---------------------------------------------------------------------------------------------

def build_counties():
    rows = []
    for code, (zh, en, lat, lon) in V.COUNTIES.items():
        rows.append({"code": code, "name_zh": zh, "name_en": en, "lat": f"{lat:.2f}", "lon": f"{lon:.2f}"})
    return rows


def build_occupations(ref_codes, ref_so):
    rows = []
    seen = set()
    for code, en, cat, restricted, levels in OCCUPATIONS:
        assert code not in seen, f"duplicate occupation {code}"
        seen.add(code)
        assert code in ref_codes, f"occupation code {code} not in codes_detail_with_flags.csv"
        assert cat in CATEGORIES, (code, cat)
        rows.append({
            "code": code, "name_zh": ref_codes[code], "name_en": en, "category": cat,
            "access_restricted": fmt_bool(restricted), "special_operation": "false",
            "levels": fmt_list(levels),
        })
    for item_no, en in SPECIAL_OPERATIONS:
        assert item_no in ref_so, f"special operation {item_no} not in special_operations.csv"
        code = f"SO-{item_no}"
        assert code not in seen
        seen.add(code)
        rows.append({
            "code": code, "name_zh": ref_so[item_no], "name_en": en, "category": "safety",
            "access_restricted": "true", "special_operation": "true", "levels": "5",
        })
    for track, items in TRACKS.items():
        for code, _ in items:
            assert code in seen, f"track {track} refers to unknown occupation {code}"
    for code in SPECIAL_ABILITY:
        assert code in seen, f"special ability for unknown occupation {code}"
    return rows


def build_institutions():
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


def build_evaluation_institutions():
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


def build_occupation_lists(occ_codes):
    rows = []
    for code, lvl in SHORTAGE_OLD.items():
        rows.append({"kind": "shortage", "county": "", "effective_date": "2025-01-01",
                     "occupation_code": code, "shortage_level": str(lvl)})
    new = {c: l for c, l in SHORTAGE_OLD.items() if c not in SHORTAGE_REMOVED}
    new.update(SHORTAGE_CHANGED)
    new.update(SHORTAGE_ADDED)
    for code, lvl in new.items():
        rows.append({"kind": "shortage", "county": "", "effective_date": "2026-07-01",
                     "occupation_code": code, "shortage_level": str(lvl)})
    for county, date, excluded in SUBSIDIZED_LISTS:
        for code in occ_codes:
            if code in excluded:
                continue
            rows.append({"kind": "subsidized", "county": county, "effective_date": date,
                         "occupation_code": code, "shortage_level": ""})
    return rows


# --- courses -----------------------------------------------------------------------------------

EMPLOY_GROUPS_SERVICE = [("two_after_youth", 4), ("rural_migrant", 4), ("laid_off_unemployed", 4),
                         ("employment_difficulty", 3), ("unemployed_graduate", 1), ("veteran", 1),
                         ("low_income_household", 2), ("dibao", 2), ("zero_employment_family", 1),
                         ("poor_labor", 1), ("community_correction", 1)]
EMPLOY_GROUPS_TECH = [("two_after_youth", 4), ("unemployed_graduate", 4), ("veteran", 3),
                      ("laid_off_unemployed", 3), ("rural_migrant", 3), ("employment_difficulty", 1),
                      ("community_correction", 1)]
EMPLOY_GROUPS_DIGITAL = [("unemployed_graduate", 6), ("veteran", 3), ("two_after_youth", 2),
                         ("laid_off_unemployed", 2)]
EMPLOY_GROUPS_AGRI = [("professional_farmer", 0), ("rural_migrant", 3), ("low_income_household", 3),
                      ("poor_labor", 2), ("returning_migrant", 2), ("dibao", 1)]

SERVICE_TRACKS = {"homecare", "care", "childcare", "food", "beauty", "security", "ecom", "logistics",
                  "handicraft", "hospitality"}
MANUF_TRACKS = {"auto", "machining", "electrical", "robot", "energy", "electronics", "steel", "chem"}
AGRI_TRACKS = {"agri", "aqua"}
SAFETY_TRACKS = {"safety_elec", "safety_weld", "safety_height", "safety_cool", "safety_chem", "safety_gas"}
ENTRE_TRACKS = {"entre", "entre_agri"}


def pick_groups(rng, pool, k_lo, k_hi, must=()):
    out = list(must)
    k = rng.randint(k_lo, k_hi)
    cands = [(g, w) for g, w in pool if w > 0]
    while len(out) < k + len(must) and cands:
        g = weighted(rng, cands)
        cands = [(x, w) for x, w in cands if x != g]
        if g not in out:
            out.append(g)
    order = list(V.PRIORITY_GROUPS)
    return sorted(out, key=order.index)


def choose_training_type(rng, track, inst_type):
    if track in SAFETY_TRACKS:
        return "safety"
    if track in ENTRE_TRACKS:
        return "entrepreneurship"
    if track == "wat":
        return "work_as_training"
    if track == "disab":
        return "employment_skills"
    if track in AGRI_TRACKS:
        return weighted(rng, [("employment_skills", 8), ("skill_upgrade", 1), ("entrepreneurship", 1)])
    if track == "digital":
        if inst_type in ("private_institution",):
            return weighted(rng, [("employment_skills", 6), ("skill_upgrade", 3)])
        return weighted(rng, [("skill_upgrade", 5), ("employment_skills", 4), ("apprenticeship", 1)])
    if track in MANUF_TRACKS:
        if inst_type == "enterprise":
            return weighted(rng, [("skill_upgrade", 5), ("apprenticeship", 3), ("pre_job", 3), ("transfer", 1)])
        if inst_type == "technical_school":
            return weighted(rng, [("skill_upgrade", 4), ("apprenticeship", 2), ("employment_skills", 3),
                                  ("transfer", 1), ("pre_job", 1)])
        if inst_type == "vocational_college":
            return weighted(rng, [("skill_upgrade", 4), ("apprenticeship", 1), ("employment_skills", 4),
                                  ("transfer", 1)])
        if inst_type == "hr_agency":
            return weighted(rng, [("pre_job", 4), ("employment_skills", 3), ("transfer", 1)])
        return weighted(rng, [("employment_skills", 5), ("skill_upgrade", 2), ("transfer", 1)])
    # services
    if inst_type == "hr_agency":
        return weighted(rng, [("employment_skills", 6), ("pre_job", 3), ("transfer", 1)])
    if inst_type in ("vocational_college", "technical_school"):
        return weighted(rng, [("employment_skills", 5), ("skill_upgrade", 3), ("transfer", 1)])
    if track == "construction":
        return weighted(rng, [("employment_skills", 5), ("skill_upgrade", 2), ("pre_job", 1), ("transfer", 1)])
    return weighted(rng, [("employment_skills", 8), ("skill_upgrade", 2), ("transfer", 1)])


def choose_level(rng, ttype, levels):
    prefs = {
        "employment_skills": {5: 12, 4: 6, 3: 1},
        "transfer": {5: 6, 4: 4, 3: 1},
        "pre_job": {5: 1},
        "skill_upgrade": {5: 1, 4: 5, 3: 6, 2: 4, 1: 2},
        "apprenticeship": {4: 4, 3: 5, 2: 2},
    }[ttype]
    cands = [(lv, prefs.get(lv, 0)) for lv in levels if prefs.get(lv, 0) > 0]
    if not cands:
        cands = [(max(levels), 1)] if ttype in ("employment_skills", "transfer", "pre_job") else [(min(levels), 1)]
    return weighted(rng, cands)


def occupation_factor(code: str) -> float:
    """0..1 position inside a subsidy range: shortage and digital occupations sit higher."""
    rng = sub_rng("subsidy", code)
    base = rng.uniform(0.0, 0.6)
    lvl = SHORTAGE_OLD.get(code) or SHORTAGE_ADDED.get(code)
    if lvl:
        base += {1: 0.4, 2: 0.25, 3: 0.1}[lvl]
    if code.startswith("2-02-38"):
        base += 0.2
    return min(1.0, base)


def subsidy_for(code, level, ttype, cert, hours, months=0):
    if ttype == "work_as_training":
        return WAT_SUBSIDY_PER_MONTH * months
    if ttype == "entrepreneurship":
        lo, hi = ENTRE_SUBSIDY
        f = min(1.0, hours / 96.0)
        return round10(lo + f * (hi - lo))
    if cert == "special_operation":
        lo, hi = SO_SUBSIDY
        return round10(lo + occupation_factor(code) * (hi - lo))
    if cert == "special_ability":
        lo, hi = SPECIAL_ABILITY_SUBSIDY
        return round10(lo + occupation_factor(code) * (hi - lo))
    if level is None:
        lo, hi = COMPLETION_SUBSIDY
        return round10(lo + occupation_factor(code) * (hi - lo))
    lo, hi = LEVEL_SUBSIDY[level]
    return round10(lo + occupation_factor(code) * (hi - lo))


def pick_start(rng):
    y, m = weighted(rng, list(MONTH_WEIGHTS.items()))
    last = 26 if m == 2 else 28
    d = dt.date(y, m, rng.randint(1, last))
    while d.weekday() >= 5:  # Saturday/Sunday -> Monday
        d += dt.timedelta(days=1)
    return d


def build_courses(inst_meta, occ_by_code, satellite_sites):
    rng = random.Random(SEED)
    drafts = []
    for inst in inst_meta:
        lo, hi = COURSES_PER_TYPE[inst["type"]]
        n = rng.randint(lo, hi)
        tracks = inst["tracks"]
        for j in range(n):
            # give every track of the institution at least one course, then sample
            track = tracks[j] if j < len(tracks) else rng.choice(tracks)
            drafts.append(make_course(rng, inst, track, occ_by_code, satellite_sites))
    # order by start date, then institution, then title, and number per (inst, occ, level, type, year)
    drafts.sort(key=lambda c: (c["start_date"], c["institution_code"], c["occupation_code"],
                               c["_level_sort"], c["training_type"], c["_seq"]))
    period = Counter()
    per_year = Counter()
    rows = []
    for c in drafts:
        sd = c["start_date"]
        key = (c["institution_code"], c["occupation_code"], c["level"], c["training_type"],
               c["_variant"], sd.year)
        period[key] += 1
        per_year[sd.year] += 1
        n = period[key]
        code = f"YC-{sd.year}-{per_year[sd.year]:05d}"
        title_zh = f"{c['_title_zh']} {sd.year}年{sd.month}月 第{n}期"
        title_en = f"{c['_title_en']}, {MONTH_EN[sd.month - 1]} {sd.year}, Class {n}"
        rows.append({
            "code": code, "title_zh": title_zh, "title_en": title_en,
            "institution_code": c["institution_code"], "occupation_code": c["occupation_code"],
            "level": "" if c["level"] is None else str(c["level"]),
            "training_type": c["training_type"], "certificate_type": c["certificate_type"],
            "hours": str(c["hours"]), "online_hours": str(c["online_hours"]),
            "start_date": sd.isoformat(), "end_date": c["end_date"].isoformat(),
            "enrol_deadline": c["enrol_deadline"].isoformat(),
            "seats": str(c["seats"]), "seats_taken": str(c["seats_taken"]),
            "county": c["county"], "address": c["address"],
            "lat": f"{c['lat']:.6f}", "lon": f"{c['lon']:.6f}",
            "delivery_mode": c["delivery_mode"], "subsidy_cny": str(c["subsidy_cny"]),
            "target_groups": fmt_list(c["target_groups"]), "reserved_for": fmt_list(c["reserved_for"]),
            "stage": c["stage"] or "",
            "free_for_key_groups": fmt_bool(c["free_for_key_groups"]),
            "accessible": fmt_bool(c["accessible"]), "project_based": fmt_bool(c["project_based"]),
        })
    return rows


_SEQ = [0]


def make_course(rng, inst, track, occ_by_code, satellite_sites):
    _SEQ[0] += 1
    itype = inst["type"]
    occ = weighted(rng, TRACKS[track])
    ttype = choose_training_type(rng, track, itype)
    occ_row = occ_by_code[occ]
    levels = tuple(int(x) for x in occ_row["levels"].split("|"))
    occ_zh, occ_en = occ_row["name_zh"], occ_row["name_en"].split(" (used for")[0]
    level = None
    variant = ""
    months = 0
    accessible = False
    project_based = False
    stage = None  # special-operation initial/refresher, entrepreneurship GYB/SYB/IYB/online
    reserved: list[str] = []  # 专场 classes admit only these groups (R9_TARGET_GROUPS)

    # ----- certificate, level, target groups, hours -----
    if ttype == "safety":
        cert = "special_operation"
        level = 5
        refresher = rng.random() < 0.25
        variant = "复审" if refresher else "初训"
        hours = rng.choice([16, 16, 24]) if refresher else round_hours(rng.uniform(48, 96))
        groups = pick_groups(rng, [("enterprise_employee", 3), ("rural_migrant", 1),
                                   ("laid_off_unemployed", 1)], 0, 1, must=("high_risk_worker",))
        stage = "refresher" if refresher else "initial"
        title_zh = f"{occ_zh}（{variant}）{TYPE_TITLE['safety'][0]}"
        title_en = f"{occ_en} ({'refresher' if refresher else 'initial'}) {TYPE_TITLE['safety'][1]}"
    elif ttype == "entrepreneurship":
        cert = "training_completion"
        if occ == "4-07-03-03":
            variant, hours, vzh, ven = rng.choice([
                ("SYB", 80, "SYB创业培训班（创办你的企业）", "SYB Start Your Business Training"),
                ("SYB", 80, "SYB创业培训班（创办你的企业）", "SYB Start Your Business Training"),
                ("GYB", 24, "GYB创业意识培训班", "GYB Generate Your Business Idea Training"),
                ("IYB", 56, "IYB改善你的企业培训班", "IYB Improve Your Business Training"),
                ("网创", 96, "网络创业培训班", "Online Entrepreneurship Training"),
            ])
            title_zh, title_en = vzh, ven
            stage = "online" if variant == "网创" else variant
        else:
            hours = rng.choice([56, 80, 96])
            title_zh = f"{occ_zh}方向{TYPE_TITLE['entrepreneurship'][0]}"
            title_en = f"{TYPE_TITLE['entrepreneurship'][1]} ({occ_en})"
        pool = [("returning_migrant", 4), ("unemployed_graduate", 3), ("veteran", 2),
                ("laid_off_unemployed", 1), ("professional_farmer", 3 if track == "entre_agri" or occ.startswith("5-") else 0),
                ("poor_labor", 1)]
        must = ("entrepreneur", "returning_migrant") if rng.random() < 0.6 else ("entrepreneur",)
        groups = pick_groups(rng, [(g, w) for g, w in pool if g not in must], 0, 2, must=must)
        if track == "entre_agri" or occ.startswith("5-"):
            title_zh = "返乡创业专场·" + title_zh
            title_en = "Returning-migrant special: " + title_en
            reserved = ["returning_migrant"]
            if "professional_farmer" not in groups:
                groups = pick_groups(rng, [], 0, 0, must=tuple(groups) + ("professional_farmer",))
    elif ttype == "work_as_training":
        cert = "training_completion"
        months = rng.randint(3, 6)
        hours = round_hours(rng.uniform(120, 200))
        groups = pick_groups(rng, [("low_income_household", 3), ("dibao", 3), ("employment_difficulty", 3),
                                   ("zero_employment_family", 2), ("poor_labor", 2)], 2, 3)
        title_zh = f"{occ_zh}{TYPE_TITLE['work_as_training'][0]}（{months}个月）"
        title_en = f"{occ_en} {TYPE_TITLE['work_as_training'][1]} ({months} months)"
    else:
        # levelled or special-ability/completion courses
        if track == "disab":
            accessible = True
            cert = "special_ability" if occ in SPECIAL_ABILITY and rng.random() < 0.5 else "skill_level"
        elif track in AGRI_TRACKS and ttype == "employment_skills":
            r = rng.random()
            cert = ("special_ability" if occ in SPECIAL_ABILITY and r < 0.35
                    else "training_completion" if r < 0.55 else "skill_level")
        elif track == "handicraft":
            cert = "special_ability" if rng.random() < 0.6 else "skill_level"
        elif ttype == "pre_job":
            cert = "training_completion" if rng.random() < 0.6 else "skill_level"
        elif occ in ("4-07-05-01", "4-07-05-03"):
            cert = "vocational_qualification"
        elif occ in SPECIAL_ABILITY and ttype == "employment_skills" and rng.random() < 0.2:
            cert = "special_ability"
        elif ttype == "employment_skills" and rng.random() < 0.06:
            cert = "training_completion"
        else:
            cert = "skill_level"
        if cert == "special_ability" and occ not in SPECIAL_ABILITY:
            cert = "skill_level"
        if cert in ("skill_level", "vocational_qualification"):
            level = choose_level(rng, ttype, levels)

        # hours
        if ttype == "apprenticeship":
            hours = round_hours(rng.uniform(160, 200))
        elif ttype == "pre_job":
            hours = round_hours(rng.uniform(16, 56))
        elif cert == "special_ability":
            hours = round_hours(rng.uniform(24, 64))
        elif cert == "training_completion":
            hours = round_hours(rng.uniform(32, 80))
        else:
            base = {5: 72, 4: 96, 3: 120, 2: 140, 1: 160}[level]
            hours = round_hours(base * rng.uniform(0.75, 1.25))

        # target groups
        if ttype in ("skill_upgrade", "apprenticeship"):
            must = ("enterprise_employee",)
            if track in ("chem", "steel") or occ in ("6-31-01-03", "6-18-02-04"):
                must = ("enterprise_employee", "high_risk_worker")
            if track in AGRI_TRACKS:
                must = ("enterprise_employee", "professional_farmer")
            groups = pick_groups(rng, [], 0, 0, must=must)
        elif ttype == "pre_job":
            groups = pick_groups(rng, [("rural_migrant", 3), ("unemployed_graduate", 1)], 0, 1,
                                 must=("enterprise_employee",))
        elif ttype == "transfer":
            groups = pick_groups(rng, [("enterprise_employee", 3), ("veteran", 1), ("rural_migrant", 1)], 0, 1,
                                 must=("laid_off_unemployed",))
        else:  # employment_skills
            if track == "disab":
                groups = pick_groups(rng, [("employment_difficulty", 3), ("dibao", 1), ("low_income_household", 1)],
                                     0, 1, must=("disabled",))
            elif track in AGRI_TRACKS:
                groups = pick_groups(rng, EMPLOY_GROUPS_AGRI, 1, 3, must=("professional_farmer",))
            elif track == "digital":
                groups = pick_groups(rng, EMPLOY_GROUPS_DIGITAL, 1, 3)
            elif track in SERVICE_TRACKS:
                groups = pick_groups(rng, EMPLOY_GROUPS_SERVICE, 2, 4)
            else:
                groups = pick_groups(rng, EMPLOY_GROUPS_TECH, 2, 4)

        tt_zh, tt_en = TYPE_TITLE[ttype]
        special = ""
        if "veteran" in groups and ttype == "employment_skills" and rng.random() < 0.5:
            special = "veteran"
        if cert == "special_ability":
            ab_zh, ab_en = SPECIAL_ABILITY[occ]
            title_zh = f"{ab_zh}专项职业能力{tt_zh}"
            title_en = f"{ab_en} Special Vocational Ability {tt_en}"
            variant = ab_zh
        elif level is None:
            title_zh = f"{occ_zh}{tt_zh}"
            title_en = f"{occ_en} {tt_en}"
        else:
            title_zh = f"{occ_zh}（{LEVEL_ZH[level]}）{tt_zh}"
            title_en = f"{occ_en} ({LEVEL_EN[level]}) {tt_en}"
        if track == "disab":
            title_zh = "残疾人专场·" + title_zh
            title_en = "For persons with disabilities: " + title_en
            reserved = ["disabled"]
        elif special == "veteran":
            title_zh = "退役军人专场·" + title_zh
            title_en = "Veterans special: " + title_en
            variant += "退役军人"
            reserved = ["veteran"]

    # ----- delivery mode -----
    online_friendly = track in ("digital", "ecom") or ttype == "entrepreneurship" or occ == "4-04-05-03"
    hands_on = ttype in ("work_as_training", "apprenticeship") or track in ("construction",)
    r = rng.random()
    if hands_on:
        mode = "hybrid" if (ttype == "apprenticeship" and r < 0.25) else "offline"
    elif ttype == "safety":
        mode = "hybrid" if r < 0.3 else "offline"  # theory online, practical exam on site
    elif online_friendly:
        mode = "online" if r < 0.3 else "hybrid" if r < 0.65 else "offline"
    else:
        mode = "online" if r < 0.03 else "hybrid" if r < 0.15 else "offline"
    if mode == "online":
        online_hours = hours
    elif mode == "hybrid":
        online_hours = max(4, int(round(hours * rng.uniform(0.2, 0.6) / 4.0)) * 4)
        online_hours = min(online_hours, hours - 8)
    else:
        online_hours = 0

    # ----- dates -----
    start = pick_start(rng)
    if ttype == "work_as_training":
        end = start + dt.timedelta(days=30 * months - 1)
    elif ttype == "apprenticeship":
        end = start + dt.timedelta(days=rng.randint(90, 180))
    else:
        per_day = 4 if ttype == "skill_upgrade" else 8
        offline_days = math.ceil((hours - online_hours) / per_day)
        online_days = math.ceil(online_hours / 4)
        days = max(1, offline_days + online_days)
        end = start + dt.timedelta(days=max(0, math.ceil(days * 7 / 5) - 1))
    deadline = start - dt.timedelta(days=rng.randint(2, 14))

    # ----- seats -----
    seats = rng.choice([20, 25, 30, 30, 35, 40, 40, 45, 50, 50, 60])
    if mode == "online":
        seats = rng.choice([50, 60, 60])
    if start <= TODAY:
        taken = seats - rng.randint(0, 4)
    elif deadline < TODAY:
        taken = int(seats * rng.uniform(0.6, 1.0))
    elif (start - TODAY).days <= 120:
        taken = seats if rng.random() < 0.15 else int(seats * rng.uniform(0.1, 0.9))
    else:
        taken = int(seats * rng.uniform(0.0, 0.4))

    # ----- location: institution or a satellite site in the same county -----
    county = inst["county"]
    lat, lon, address = inst["lat"], inst["lon"], inst["address"]
    sat_p = 0.4 if track in AGRI_TRACKS or track == "entre_agri" else 0.12
    if mode != "online" and rng.random() < sat_p:
        site = rng.choice(satellite_sites[county])
        lat, lon = site["lat"], site["lon"]
        suffix = "田间学校" if track in AGRI_TRACKS or track == "entre_agri" else rng.choice(
            ["社区教学点", "便民服务中心培训点", "企业实训点"])
        address = f"{county_prefix(county)}{site['town']}{suffix}（{inst['name_zh']}教学点）"

    # ----- groups the rules let take it -----
    # Aimed-at groups are a ranking term; keep only those whose plain member the rules accept, so
    # the sample never advertises a course to a group that is then refused (issue 11).
    facts = CourseFacts(
        id=0, occupation_code=occ, level=level, training_type=ttype, certificate_type=cert,
        county=inst["county"], start_date=start, end_date=end, subsidy_cny=0.0,
        reserved_for=frozenset(groups), stage=stage)
    refused = {r.group for r in reserved_group_refusals(facts)}
    groups = [g for g in groups if g not in refused]
    groups += [g for g in reserved if g not in groups]  # a class reserved for a group is aimed at it
    assert not set(reserved) & refused, (occ, ttype, reserved)

    # ----- flags -----
    free = any(g in KEY_GROUPS for g in groups)
    if ttype == "work_as_training":
        free = False  # employer subsidy, not a course the worker enrols in
    if not accessible:
        accessible = (mode == "online" and rng.random() < 0.5) or rng.random() < 0.05
    if ttype in ("employment_skills", "apprenticeship", "entrepreneurship") and itype in (
            "hr_agency", "private_institution", "industry_org", "enterprise", "technical_school"):
        project_based = rng.random() < 0.25
    if ttype == "work_as_training":
        project_based = False

    subsidy = subsidy_for(occ, level, ttype, cert, hours, months)

    return {
        "_seq": _SEQ[0], "_variant": variant, "_title_zh": title_zh, "_title_en": title_en,
        "_level_sort": -1 if level is None else level,
        "institution_code": inst["code"], "occupation_code": occ, "level": level,
        "training_type": ttype, "certificate_type": cert, "hours": hours, "online_hours": online_hours,
        "start_date": start, "end_date": end, "enrol_deadline": deadline, "seats": seats,
        "seats_taken": max(0, min(seats, taken)), "county": county, "address": address,
        "lat": lat, "lon": lon, "delivery_mode": mode, "subsidy_cny": subsidy,
        "target_groups": groups, "reserved_for": reserved, "stage": stage,
        "free_for_key_groups": free, "accessible": accessible,
        "project_based": project_based,
    }


def build_satellite_sites():
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


# ---------------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------------

COLUMNS = {
    "counties": ["code", "name_zh", "name_en", "lat", "lon"],
    "occupations": ["code", "name_zh", "name_en", "category", "access_restricted", "special_operation", "levels"],
    "occupation_lists": ["kind", "county", "effective_date", "occupation_code", "shortage_level"],
    "institutions": ["code", "name_zh", "name_en", "type", "county", "address", "lat", "lon",
                     "credit_rating", "disability_base", "phone"],
    "evaluation_institutions": ["code", "name_zh", "name_en", "county", "address", "lat", "lon",
                                "certificate_types", "occupation_codes"],
    "courses": ["code", "title_zh", "title_en", "institution_code", "occupation_code", "level",
                "training_type", "certificate_type", "hours", "online_hours", "start_date", "end_date",
                "enrol_deadline", "seats", "seats_taken", "county", "address", "lat", "lon",
                "delivery_mode", "subsidy_cny", "target_groups", "reserved_for", "stage",
                "free_for_key_groups", "accessible", "project_based"],
}
ORDER = ["counties", "occupations", "occupation_lists", "institutions", "evaluation_institutions", "courses"]


def write_csv(path: Path, columns, rows):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def read_csv(path: Path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------------------------------------
# self-check
# ---------------------------------------------------------------------------------------------

def check(data: dict[str, list[dict]], ref_codes, ref_so) -> dict:
    def b(x):
        assert x in ("true", "false"), x
        return x == "true"

    def lst(x):
        return [p for p in x.split("|") if p] if x else []

    counties = data["counties"]
    assert [c["code"] for c in counties] == list(V.COUNTIES), "county codes differ from vocabulary"
    assert len(counties) == 11
    cc = {c["code"]: c for c in counties}

    occ = {o["code"]: o for o in data["occupations"]}
    assert len(occ) == len(data["occupations"]) >= 60
    so_count = 0
    for code, o in occ.items():
        assert o["category"] in CATEGORIES, o
        levels = [int(x) for x in lst(o["levels"])]
        assert levels and all(lv in (1, 2, 3, 4, 5) for lv in levels), o
        if code.startswith("SO-"):
            so_count += 1
            item = code[3:]
            assert item in ref_so and o["name_zh"] == ref_so[item], o
            assert b(o["special_operation"]) and o["category"] == "safety" and levels == [5], o
            assert b(o["access_restricted"]), o
        else:
            assert ref_codes.get(code) == o["name_zh"], f"{code}: name/code not in the 2022 classification"
            assert not b(o["special_operation"])
            if code.startswith("2-"):
                assert len(levels) < 5, o
    assert so_count >= 12
    for code in PLAN_NAMED:
        assert code in occ, f"plan-named occupation {code} missing"
    for code in ("6-31-01-03", "6-18-02-04", "4-07-05-01"):
        assert b(occ[code]["access_restricted"])

    lists = data["occupation_lists"]
    versions = defaultdict(list)
    for r in lists:
        assert r["kind"] in ("shortage", "subsidized")
        assert r["occupation_code"] in occ, r
        assert r["county"] == "" or r["county"] in cc, r
        dt.date.fromisoformat(r["effective_date"])
        if r["kind"] == "shortage":
            assert r["shortage_level"] in ("1", "2", "3"), r
        else:
            assert r["shortage_level"] == "", r
        versions[(r["kind"], r["county"], r["effective_date"])].append(r["occupation_code"])
    for v in versions.values():
        assert len(v) == len(set(v)), "duplicate entry in a list"
    city_short = sorted(k for k in versions if k[0] == "shortage" and k[1] == "")
    assert [k[2] for k in city_short] == ["2025-01-01", "2026-07-01"], city_short
    old, new = (set(versions[k]) for k in city_short)
    assert old - new and new - old, "newer shortage list must add and remove entries"
    for code in PLAN_NAMED:
        assert code in old and code in new, f"{code} missing from a shortage list"
    sub_counties = sorted({k[1] for k in versions if k[0] == "subsidized"})
    assert 3 <= len(sub_counties) <= 5 and "" not in sub_counties

    insts = {i["code"]: i for i in data["institutions"]}
    assert len(insts) == len(data["institutions"]) >= 40
    types = Counter(i["type"] for i in insts.values())
    for t in V.INSTITUTION_TYPES:
        assert types[t] >= 3, (t, types[t])
    assert set(types) <= set(V.INSTITUTION_TYPES)
    assert sum(1 for i in insts.values() if b(i["disability_base"]) and i["type"] == "disability_base") >= 2
    assert {i["county"] for i in insts.values()} == set(cc)
    for i in insts.values():
        assert i["credit_rating"] in V.CREDIT_RATINGS
        assert i["phone"].startswith("0515-8") and len(i["phone"]) == 13, i["phone"]
        c = cc[i["county"]]
        assert km_between(float(i["lat"]), float(i["lon"]), float(c["lat"]), float(c["lon"])) <= 8.5, i

    evs = data["evaluation_institutions"]
    assert 8 <= len(evs) <= 12
    eval_cover = set()
    for e in evs:
        assert e["county"] in cc
        certs = lst(e["certificate_types"])
        assert certs and set(certs) <= set(V.CERTIFICATE_TYPES)
        for o in lst(e["occupation_codes"]):
            assert o in occ, o
            for ct in certs:
                eval_cover.add((o, ct))

    courses = data["courses"]
    assert len(courses) >= 600
    assert len({c["code"] for c in courses}) == len(courses)
    today = TODAY
    seen = defaultdict(set)
    months = Counter()
    open_soon = full_soon = past_deadline = 0
    for c in courses:
        assert c["institution_code"] in insts, c["code"]
        assert c["occupation_code"] in occ, c["code"]
        assert c["county"] in cc
        inst = insts[c["institution_code"]]
        o = occ[c["occupation_code"]]
        tt, ct, mode = c["training_type"], c["certificate_type"], c["delivery_mode"]
        assert tt in V.TRAINING_TYPES and ct in V.CERTIFICATE_TYPES and mode in V.DELIVERY_MODES
        level = int(c["level"]) if c["level"] else None
        if level is None:
            assert ct in ("special_ability", "training_completion"), c["code"]
        else:
            assert level in [int(x) for x in lst(o["levels"])], c["code"]
            assert ct not in ("special_ability", "training_completion"), c["code"]
        hours, oh = int(c["hours"]), int(c["online_hours"])
        assert 16 <= hours <= 200 and 0 <= oh <= hours
        assert (mode == "online") == (oh == hours) and (mode == "offline") == (oh == 0), c["code"]
        sd, ed, dl = (dt.date.fromisoformat(c[k]) for k in ("start_date", "end_date", "enrol_deadline"))
        assert dl <= sd <= ed
        seats, taken = int(c["seats"]), int(c["seats_taken"])
        assert 20 <= seats <= 60 and 0 <= taken <= seats
        cty = cc[c["county"]]
        assert c["county"] == inst["county"]
        assert km_between(float(c["lat"]), float(c["lon"]), float(cty["lat"]), float(cty["lon"])) <= 10.0
        groups = lst(c["target_groups"])
        assert all(g in V.PRIORITY_GROUPS for g in groups) and len(groups) == len(set(groups))
        free = b(c["free_for_key_groups"])
        if tt != "work_as_training":
            assert free == any(g in KEY_GROUPS for g in groups), c["code"]
        acc, proj = b(c["accessible"]), b(c["project_based"])
        sub = int(c["subsidy_cny"])
        assert sub >= 0 and sub % 10 == 0
        if b(o["special_operation"]):
            assert tt == "safety" and ct == "special_operation" and SO_SUBSIDY[0] <= sub <= SO_SUBSIDY[1]
            assert "high_risk_worker" in groups
        if tt == "safety" or ct == "special_operation":
            assert b(o["special_operation"]), c["code"]
        if tt == "entrepreneurship":
            assert "entrepreneur" in groups or "returning_migrant" in groups
            assert ENTRE_SUBSIDY[0] <= sub <= ENTRE_SUBSIDY[1]
        elif level is not None and ct != "special_operation":
            lo, hi = LEVEL_SUBSIDY[level]
            assert lo <= sub <= hi, (c["code"], sub)
        if inst["type"] == "disability_base":
            assert acc and "disabled" in groups, c["code"]
        if ct != "training_completion":
            assert (c["occupation_code"], ct) in eval_cover, f"no evaluator for {c['code']}"
        seen["county"].add(c["county"])
        seen["training_type"].add(tt)
        seen["certificate_type"].add(ct)
        seen["delivery_mode"].add(mode)
        seen["level"].add(level)
        seen["institution"].add(c["institution_code"])
        seen["occupation"].add(c["occupation_code"])
        seen["accessible"].add(acc)
        seen["project_based"].add(proj)
        months[(sd.year, sd.month)] += 1
        if dt.date(2026, 12, 1) <= sd <= dt.date(2027, 3, 31):
            if dl >= today and taken < seats:
                open_soon += 1
            if taken == seats and dl >= today:
                full_soon += 1
            if dl < today:
                past_deadline += 1
    assert seen["county"] == set(cc)
    assert seen["training_type"] == set(V.TRAINING_TYPES)
    assert seen["certificate_type"] == set(V.CERTIFICATE_TYPES)
    assert seen["delivery_mode"] == set(V.DELIVERY_MODES)
    assert {1, 2, 3, 4, 5, None} <= seen["level"]
    assert seen["institution"] == set(insts), "every institution runs at least one course"
    assert True in seen["accessible"] and True in seen["project_based"]
    for ym in months_range():
        assert months[ym] > 0, f"no course starts in {ym}"
    assert set(months) <= set(months_range())
    wat = sum(1 for c in courses if c["training_type"] == "work_as_training")
    assert 1 <= wat <= 0.03 * len(courses)
    assert open_soon >= 100 and full_soon >= 5 and past_deadline >= 5, (open_soon, full_soon, past_deadline)
    for code in PLAN_NAMED:
        assert code in seen["occupation"], f"no course for plan-named occupation {code}"
    # county subsidized lists must leave some of the county's courses unsubsidized
    not_subsidized = {}
    for county in sub_counties:
        latest = max(k for k in versions if k[0] == "subsidized" and k[1] == county)
        listed = set(versions[latest])
        n = sum(1 for c in courses if c["county"] == county and c["occupation_code"] not in listed)
        assert n >= 1, f"every course of {county} is on its subsidized list"
        not_subsidized[county] = (latest[2], n)
    return {
        "counts": {k: len(v) for k, v in data.items()},
        "types": types, "months": months, "sub_counties": sub_counties,
        "not_subsidized": not_subsidized, "open_soon": open_soon, "full_soon": full_soon,
        "past_deadline": past_deadline, "wat": wat, "so_count": so_count,
        "courses_without_occ": sorted(set(occ) - seen["occupation"]),
        "tt": Counter(c["training_type"] for c in courses),
        "ct": Counter(c["certificate_type"] for c in courses),
        "dm": Counter(c["delivery_mode"] for c in courses),
        "cty": Counter(c["county"] for c in courses),
        "lv": Counter(c["level"] or "-" for c in courses),
    }


# ---------------------------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------------------------

def render_readme(stats) -> str:
    n = stats["counts"]
    cty = stats["cty"]
    county_line = ", ".join(f"{c} {cty[c]}" for c in V.COUNTIES)
    tt = ", ".join(f"{k} {stats['tt'][k]}" for k in V.TRAINING_TYPES)
    ct = ", ".join(f"{k} {stats['ct'][k]}" for k in V.CERTIFICATE_TYPES)
    dm = ", ".join(f"{k} {stats['dm'][k]}" for k in V.DELIVERY_MODES)
    lv = ", ".join(f"{k} {stats['lv'][k]}" for k in ["5", "4", "3", "2", "1", "-"])
    months = ", ".join(f"{y}-{m:02d} {stats['months'][(y, m)]}" for y, m in months_range())
    types = ", ".join(f"{k} {stats['types'][k]}" for k in V.INSTITUTION_TYPES)
    ns = "; ".join(f"{c} (effective {d}): {k} courses not on the list" for c, (d, k) in stats["not_subsidized"].items())
    return f"""# Sample catalog data (generated — NOT official)

These CSVs are **generated sample data** for development, demos and tests of the Yancheng
skills-upgrading course recommender. Occupation codes and Chinese occupation names are real (2022
national classification and the special-operations catalogue, checked against
`/work/shared/data/occupations/`); everything else — institutions, addresses, phone numbers, credit
ratings, evaluation institutions, courses, shortage/subsidized lists and subsidy amounts — is invented
(some institution names imitate real local schools). Do not present it as official information.

File formats: `catalog/FORMAT.md`. Import with `flask --app wsgi catalog import catalog/data`.

## Regenerate

```sh
. .venv/bin/activate
python catalog/data/generate.py            # rewrites the CSVs and this README
python catalog/data/generate.py --check    # validates the CSVs in place, writes nothing
# option: --occupations-dir PATH (default: ../shared/data/occupations relative to the repo root)
```

Standard library only; seed `{SEED}`; reference date ("today") {TODAY.isoformat()}. Two runs give
byte-identical files. Edit the tables at the top of `generate.py` (occupations, tracks,
institutions, lists, subsidy ranges), not the CSVs. The script ends with a self-check (counts, enums,
foreign keys, ranges, coverage) and refuses to write if it fails.

## Files

| file | rows | content |
|---|---|---|
| `counties.csv` | {n['counties']} | the 9 county-level divisions + 2 zones, codes from `catalog/vocabulary.py` |
| `occupations.csv` | {n['occupations']} | real 2022 codes and names; {stats['so_count']} special operations `SO-<item_no>` |
| `occupation_lists.csv` | {n['occupation_lists']} | city shortage list (2 versions) + county subsidized lists |
| `institutions.csv` | {n['institutions']} | training institutions, every type: {types} |
| `evaluation_institutions.csv` | {n['evaluation_institutions']} | skill-evaluation institutions |
| `courses.csv` | {n['courses']} | courses starting 2026-09 … 2027-12 |

`job_centers.csv` in this directory is maintained by hand (not written or checked by `generate.py`).

## What a consumer should know

- **Occupation `category`** values used: {", ".join(CATEGORIES)}. Special operations are `safety`,
  `special_operation=true`, `access_restricted=true`, `levels=5`; their courses have `level=5`,
  `training_type=safety`, `certificate_type=special_operation`, and are titled 初训 (initial,
  48–96 h) or 复审 (refresher, 16–24 h). Access-restricted (准入类) trades: electrician, welder,
  security guard, fire-facility operator, scaffolder, hoisting operator, elevator installer,
  forklift driver, and all special operations.
- **Levels**: typical trades `5|4|3|2|1`; engineering technicians (`2-02-38-*`) and a few new
  occupations `5|4|3`; some irregular sets (农业经理人 `4|3|2`, 创业指导师 `3|2|1`, 医疗护理员
  `5|4`). A course's `level` is empty only for `special_ability` and `training_completion`
  certificates (entrepreneurship, work-as-training, some pre-job and farmer courses).
- **Entrepreneurship**: general SYB/GYB/IYB/网络创业 courses use occupation `4-07-03-03` 创业指导师
  as a proxy (the classification has no "entrepreneur" occupation); sector courses use the business'
  occupation (电子商务师, 农业经理人, 民宿管家). They target `entrepreneur` and usually
  `returning_migrant`, certificate `training_completion`, subsidy 1500–2000.
- **Handicraft**: 抽纱刺绣工 6-09-03-11 (incl. 东台发绣), 绒线编织拼布工 6-05-01-06, 民间工艺品制作工
  6-09-03-17 (草柳编), 工艺品雕刻工 6-09-03-01.
- **Shortage list** (kind `shortage`, county empty): versions effective 2025-01-01 and 2026-07-01;
  the newer one drops {", ".join(SHORTAGE_REMOVED)}, adds {", ".join(SHORTAGE_ADDED)} and changes the
  level of {", ".join(SHORTAGE_CHANGED)}. Every plan-named occupation is on both.
- **Subsidized lists** (kind `subsidized`) exist only for: {", ".join(stats['sub_counties'])}
  (dongtai has two versions, 2025-07-01 and 2026-09-01). The other counties publish none, so by the
  default rule every course there is subsidizable. Each list leaves out some occupations on purpose:
  {ns}.
- **Subsidy standards** (`subsidy_cny`, CNY/trainee, multiples of 10) are one city-wide standard per
  occupation × level: level 5 800–1200, 4 1200–1800, 3 1800–2500, 2 2500–3500, 1 3500–4500
  (shortage/digital occupations sit higher in the band); special operations 600–1200; special
  ability 600–1000; other completion-certificate courses 400–700; entrepreneurship 1500–2000;
  work-as-training 500 per month × 3–6 months.
- **Dates** are built around today = {TODAY.isoformat()}: courses that started before it are (nearly)
  full; {stats['open_soon']} courses starting Dec 2026–Mar 2027 still take enrolments, {stats['full_soon']}
  of that window are already full, {stats['past_deadline']} have an enrolment deadline already past.
- `free_for_key_groups` is true exactly when `target_groups` contains an R10 key group
  ({", ".join(KEY_GROUPS)}); work-as-training rows ({stats['wat']}) are employer subsidies,
  never free and never meant to be recommended to a worker.
- Courses of `disability_base` institutions are `accessible=true` and target `disabled`; some
  online courses elsewhere are accessible too. Only `disability_base`-type institutions have
  `disability_base=true`.
- `project_based` (R12) is set on part of the employment-skills, apprenticeship and entrepreneurship
  courses run by enterprises, schools, agencies and associations.
- Locations: courses are held at the institution (within ~7 km of the county centre) or at a
  satellite site (田间学校 / 社区教学点 …) in a town of the same county (2–8 km from the centre);
  `county` of a course is always its institution's county.
- Every course occupation + certificate (except training_completion) is covered by at least one
  evaluation institution.

## Counts

- courses per county: {county_line}
- training types: {tt}
- certificates: {ct}
- delivery modes: {dm}
- levels: {lv}
- start months: {months}
- occupations without courses (listed for completeness): {", ".join(stats['courses_without_occ']) or "none"}
"""


# ---------------------------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--occupations-dir", type=Path, default=DEFAULT_OCC_DIR)
    ap.add_argument("--out-dir", type=Path, default=HERE)
    ap.add_argument("--check", action="store_true", help="only validate the existing CSVs")
    args = ap.parse_args(argv)
    ref_codes, ref_so = load_reference(args.occupations_dir)

    if args.check:
        data = {k: read_csv(args.out_dir / f"{k}.csv") for k in ORDER}
        stats = check(data, ref_codes, ref_so)
        print("check OK:", ", ".join(f"{k} {v}" for k, v in stats["counts"].items()))
        return 0

    _SEQ[0] = 0
    counties = build_counties()
    occupations = build_occupations(ref_codes, ref_so)
    occ_by_code = {o["code"]: o for o in occupations}
    institutions, inst_meta = build_institutions()
    evaluation = build_evaluation_institutions()
    lists = build_occupation_lists([o["code"] for o in occupations])
    courses = build_courses(inst_meta, occ_by_code, build_satellite_sites())
    data = {"counties": counties, "occupations": occupations, "occupation_lists": lists,
            "institutions": institutions, "evaluation_institutions": evaluation, "courses": courses}
    # validate the exact text that will be written (round-trip through CSV)
    texts = {}
    for k in ORDER:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=COLUMNS[k], lineterminator="\n")
        w.writeheader()
        w.writerows(data[k])
        texts[k] = buf.getvalue()
    reread = {k: list(csv.DictReader(io.StringIO(texts[k]))) for k in ORDER}
    stats = check(reread, ref_codes, ref_so)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for k in ORDER:
        (args.out_dir / f"{k}.csv").write_bytes(texts[k].encode("utf-8"))
    (args.out_dir / "README.md").write_bytes(render_readme(stats).encode("utf-8"))
    print("wrote", ", ".join(f"{k}.csv ({v} rows)" for k, v in stats["counts"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
