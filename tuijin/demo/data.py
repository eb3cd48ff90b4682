"""The demo city's vocabulary: regions, units, leaders and the words project names are made of.

Everything here is invented or public administrative geography (region codes, towns, rivers);
the leaders' names are made up and belong to no real official.
"""

# Region: code, name, level, centroid (lat, lng), towns/streets, rivers, roads, projects to build.
# "spread": how far from the centre (degrees of latitude; 1.2 times that of longitude) a project may be
# placed and still lie inside the district: the largest such ellipse within the district's boundary of
# the map (vendor/geo/371300.json), a little smaller; for a zone, well inside the district around it.
PROVINCE = ("370000", "山东省")
CITY = ("371300", "临沂市", (35.06, 118.34))

URBAN_ROADS = [
    "沂蒙路", "通达路", "解放路", "北京路", "上海路", "孝河路", "陶然路", "蒙山大道", "滨河大道", "双岭路",
    "金雀山路", "兰山路", "银雀山路", "沂州路", "启阳路", "南京路", "涑河北街", "工业大道", "临西十路",
    "卧虎山路", "智圣路", "长春路", "水田路", "罗七路", "香港路", "应用科学城路", "沭河大道", "人民大街",
]
COUNTY_ROADS = [
    "人民路", "文化路", "振兴路", "建设路", "沂河路", "新华路", "工业大道", "府前路", "城东大道", "滨河路",
    "长安路", "学府路", "幸福路", "迎宾大道", "胜利路", "和平路",
]

REGIONS = [
    {
        "code": "371302", "name": "兰山区", "level": "district", "center": (35.12, 118.30), "spread": 0.065, "projects": 62,
        "towns": ["银雀山街道", "兰山街道", "金雀山街道", "柳青街道", "白沙埠镇", "枣园镇", "半程镇", "义堂镇",
                  "李官镇", "方城镇", "汪沟镇"],
        "rivers": ["沂河", "祊河", "柳青河", "涑河", "李公河"], "urban": True,
    },
    {
        "code": "371311", "name": "罗庄区", "level": "district", "center": (34.99, 118.28), "spread": 0.043, "projects": 52,
        "towns": ["罗庄街道", "傅庄街道", "盛庄街道", "册山街道", "高都街道", "沂堂镇", "褚墩镇", "黄山镇"],
        "rivers": ["沂河", "陷泥河", "燕子河", "武河"], "urban": True,
    },
    {
        "code": "371312", "name": "河东区", "level": "district", "center": (35.11, 118.43), "spread": 0.032, "projects": 46,
        "towns": ["九曲街道", "凤凰岭街道", "太平街道", "汤头街道", "八湖镇", "汤河镇", "郑旺镇", "相公街道"],
        "rivers": ["沭河", "汤河", "沂河", "青龙河"], "urban": True,
    },
    {
        "code": "371321", "name": "沂南县", "level": "county", "center": (35.55, 118.46), "spread": 0.097, "projects": 35,
        "towns": ["界湖街道", "岸堤镇", "孙祖镇", "双堠镇", "青驼镇", "张庄镇", "砖埠镇", "葛沟镇", "大庄镇",
                  "辛集镇", "蒲汪镇", "湖头镇", "苏村镇", "铜井镇", "依汶镇"],
        "rivers": ["沂河", "东汶河", "蒙河"],
    },
    {
        "code": "371322", "name": "郯城县", "level": "county", "center": (34.62, 118.36), "spread": 0.052, "projects": 33,
        "towns": ["郯城街道", "马头镇", "重坊镇", "李庄镇", "杨集镇", "港上镇", "高峰头镇", "庙山镇", "红花镇",
                  "胜利镇", "花园乡", "归昌乡", "泉源乡"],
        "rivers": ["沂河", "沭河", "白马河", "墨河"],
    },
    {
        "code": "371323", "name": "沂水县", "level": "county", "center": (35.78, 118.62), "spread": 0.059, "projects": 40,
        "towns": ["沂城街道", "龙家圈街道", "道托镇", "高庄镇", "许家湖镇", "黄山铺镇", "诸葛镇", "崔家峪镇",
                  "四十里堡镇", "杨庄镇", "夏蔚镇", "沙沟镇", "高桥镇", "院东头镇", "泉庄镇", "马站镇"],
        "rivers": ["沂河", "沭河", "东汶河"],
    },
    {
        "code": "371324", "name": "兰陵县", "level": "county", "center": (34.86, 118.06), "spread": 0.063, "projects": 40,
        "towns": ["卞庄街道", "苍山街道", "向城镇", "磨山镇", "神山镇", "车辋镇", "尚岩镇", "兰陵镇", "长城镇",
                  "芦柞镇", "新兴镇", "鲁城镇", "南桥镇", "大仲村镇", "庄坞镇", "矿坑镇", "金岭镇"],
        "rivers": ["武河", "西泇河", "东泇河", "燕子河"],
    },
    {
        "code": "371325", "name": "费县", "level": "county", "center": (35.27, 117.98), "spread": 0.081, "projects": 35,
        "towns": ["费城街道", "上冶镇", "薛庄镇", "探沂镇", "胡阳镇", "新庄镇", "梁邱镇", "石井镇", "朱田镇",
                  "马庄镇", "大田庄乡", "南张庄乡"],
        "rivers": ["祊河", "浚河", "温凉河"],
    },
    {
        "code": "371326", "name": "平邑县", "level": "county", "center": (35.50, 117.64), "spread": 0.065, "projects": 33,
        "towns": ["平邑街道", "仲村镇", "武台镇", "保太镇", "柏林镇", "卞桥镇", "地方镇", "铜石镇", "温水镇",
                  "流峪镇", "郑城镇", "白彦镇", "临涧镇", "丰阳镇"],
        "rivers": ["浚河", "祊河", "唐村河"],
    },
    {
        "code": "371327", "name": "莒南县", "level": "county", "center": (35.18, 118.83), "spread": 0.117, "projects": 35,
        "towns": ["十字路街道", "大店镇", "板泉镇", "洙边镇", "文疃镇", "石莲子镇", "岭泉镇", "筵宾镇", "涝坡镇",
                  "相沟镇", "道口镇"],
        "rivers": ["鸡龙河", "浔河", "袁公河"],
    },
    {
        "code": "371328", "name": "蒙阴县", "level": "county", "center": (35.71, 117.94), "spread": 0.081, "projects": 29,
        "towns": ["蒙阴街道", "常路镇", "岱崮镇", "坦埠镇", "垛庄镇", "高都镇", "野店镇", "桃墟镇", "联城镇",
                  "旧寨乡"],
        "rivers": ["东汶河", "梓河", "蒙河"],
    },
    {
        "code": "371329", "name": "临沭县", "level": "county", "center": (34.92, 118.65), "spread": 0.075, "projects": 31,
        "towns": ["临沭街道", "郑山街道", "蛟龙镇", "大兴镇", "石门镇", "曹庄镇", "南古镇", "白旄镇", "青云镇",
                  "玉山镇", "店头镇"],
        "rivers": ["沭河", "新沭河", "苍源河"],
    },
    {
        "code": "371371", "name": "临沂高新技术产业开发区", "short": "临沂高新区", "level": "zone",
        "center": (35.03, 118.26), "spread": 0.03, "projects": 36,
        "towns": ["罗西街道", "马厂湖镇", "新桥片区", "科技创业园片区"],
        "rivers": ["柳青河", "祊河", "陷泥河"], "urban": True,
    },
    {
        "code": "371372", "name": "临沂经济技术开发区", "short": "临沂经开区", "level": "zone",
        "center": (35.02, 118.45), "spread": 0.03, "projects": 35,
        "towns": ["芝麻墩街道", "梅埠街道", "朱保镇", "经开区综合保税片区"],
        "rivers": ["沂河", "李公河", "青龙河"], "urban": True,
    },
    {
        "code": "371373", "name": "临沂临港经济开发区", "short": "临沂临港区", "level": "zone",
        "center": (35.12, 118.99), "spread": 0.03, "projects": 31,
        "towns": ["团林镇", "坪上镇", "壮岗镇", "朱芦镇"],
        "rivers": ["绣针河", "相邸河", "鸡龙河"],
    },
]
CITY_PROJECTS = 27  # cross-region projects registered at city level (railways, grid, river works…)

RESERVOIRS = {
    "沂水县": ["跋山", "沙沟", "寨子山"], "蒙阴县": ["岸堤", "唐家峪"], "费县": ["许家崖", "昌里"],
    "平邑县": ["唐村", "昌里"], "莒南县": ["陡山", "石泉湖"], "兰陵县": ["会宝岭", "吴坦"],
    "沂南县": ["双堠", "马牧池"], "临沭县": ["岌山", "大官庄"], "郯城县": ["墨河"],
}
IRRIGATION = {
    "沂水县": "跋山", "蒙阴县": "岸堤", "费县": "许家崖", "平邑县": "唐村", "莒南县": "陡山",
    "兰陵县": "会宝岭", "沂南县": "葛沟", "临沭县": "大官庄", "郯城县": "江风口", "兰山区": "小埠东",
    "河东区": "刘家道口", "罗庄区": "小埠东",
}
SCENIC = {
    "兰山区": ["王羲之故居", "银雀山汉墓竹简博物馆", "沂河滨水"], "罗庄区": ["沂河湾", "罗庄古城"],
    "河东区": ["汤头温泉", "沭河湿地"], "沂南县": ["竹泉村", "红嫂家乡", "马牧池乡村记忆", "智圣汤泉"],
    "郯城县": ["马陵山", "银杏古梅园"], "沂水县": ["地下大峡谷", "天上王城", "雪山彩虹谷"],
    "兰陵县": ["兰陵国家农业公园", "压油沟"], "费县": ["沂蒙山龟蒙景区", "塔山森林公园"],
    "平邑县": ["蒙山龟蒙顶", "九间棚"], "莒南县": ["天马岛", "八路军115师司令部旧址"],
    "蒙阴县": ["岱崮地貌", "云蒙湖", "孟良崮战役纪念馆"], "临沭县": ["苍马山", "朱村红色教育基地"],
}
PARKS = ["滨河", "湿地", "体育", "中央", "植物", "森林", "口袋", "郊野", "市民", "文化"]
DRUGS = ["抗肿瘤创新药", "中药配方颗粒", "生物疫苗", "高端医用敷料", "单克隆抗体", "原料药绿色化改造",
         "体外诊断试剂", "银杏叶提取物"]

# City departments (kind department, region = city): key, full name, short name.
DEPARTMENTS = [
    ("fgw", "临沂市发展和改革委员会", "市发改委（市重点项目推进办公室）"),
    ("cz", "临沂市财政局", "市财政局"),
    ("zrzy", "临沂市自然资源和规划局", "市自然资源和规划局"),
    ("sthj", "临沂市生态环境局", "市生态环境局"),
    ("zjj", "临沂市住房和城乡建设局", "市住房城乡建设局"),
    ("jt", "临沂市交通运输局", "市交通运输局"),
    ("sl", "临沂市水利局", "市水利局"),
    ("nync", "临沂市农业农村局", "市农业农村局"),
    ("sw", "临沂市商务局", "市商务局"),
    ("jy", "临沂市教育局", "市教育局"),
    ("wjw", "临沂市卫生健康委员会", "市卫生健康委"),
    ("mz", "临沂市民政局", "市民政局"),
    ("gxj", "临沂市工业和信息化局", "市工业和信息化局"),
    ("cg", "临沂市城市管理局", "市城市管理局"),
    ("sp", "临沂市行政审批服务局", "市行政审批服务局"),
    ("dcs", "临沂市委市政府督查室", "市委市政府督查室"),
    ("yj", "临沂市应急管理局", "市应急管理局"),
    ("wl", "临沂市文化和旅游局", "市文化和旅游局"),
    ("kj", "临沂市科学技术局", "市科学技术局"),
    ("sj", "临沂市市场监督管理局", "市市场监管局"),
    ("tj", "临沂市统计局", "市统计局"),
    ("audit", "临沂市审计局", "市审计局"),
    ("rs", "临沂市人力资源和社会保障局", "市人力资源社会保障局"),
    ("jj", "临沂市公安局交通警察支队", "市公安局交警支队"),
    ("gzw", "临沂市人民政府国有资产监督管理委员会", "市国资委"),
    ("dsj", "临沂市大数据局", "市大数据局"),
    ("gd", "国网临沂供电公司", "市供电公司"),
    ("tc", "临沂市投资促进局", "市投资促进局"),
    ("tyjr", "临沂市退役军人事务局", "市退役军人事务局"),
    ("yb", "临沂市医疗保障局", "市医疗保障局"),
]
CITY_GOVERNMENTS = [
    ("swei", "中共临沂市委员会", "市委"),
    ("szf", "临沂市人民政府", "市政府"),
    ("rd", "临沂市人民代表大会常务委员会", "市人大常委会"),
    ("zx", "中国人民政治协商会议临沂市委员会", "市政协"),
]

# Leaders (invented names): name, title, unit key, categories they contract, regions they are linked to.
LEADERS = [
    ("周文澜", "市委书记", "swei", [], []),
    ("宋立衡", "市委副书记、市长", "szf", [], ["兰山区", "临沂高新技术产业开发区", "临沂经济技术开发区"]),
    ("韩致远", "市委副书记", "swei", ["农村"], ["沂南县"]),
    ("陶明川", "市人大常委会主任", "rd", [], ["沂水县"]),
    ("魏书航", "市政协主席", "zx", [], ["平邑县", "蒙阴县"]),
    ("邵怀民", "市委常委、常务副市长", "szf", ["产业/先进制造", "产业/新材料", "产业/生物医药", "能源"], []),
    ("范景行", "市委常委、组织部部长", "swei", [], ["费县"]),
    ("贺启东", "市委常委、宣传部部长", "swei", ["产业/文化旅游"], ["兰陵县"]),
    ("庞志诚", "市委常委、市委秘书长", "swei", [], ["郯城县", "临沭县"]),
    ("柯远舟", "副市长", "szf", ["交通", "市政"], []),
    ("曹云岭", "副市长", "szf", ["水利", "生态"], []),
    ("严沐之", "副市长", "szf", ["教育", "医养"], []),
    ("骆宏达", "副市长", "szf", ["商贸物流", "信息", "产业/现代服务业"], []),
    ("祁守业", "市人大常委会副主任", "rd", [], ["莒南县", "临沂临港经济开发区"]),
    ("栾振宇", "市政协副主席", "zx", [], ["河东区", "罗庄区"]),
]
LEADER_FOR_USER = "邵怀民"

# Demo logins: username, display name, role, unit (department key, "szf", or region name), scope.
USERS = [
    ("admin", "陈管理", "admin", "fgw", "region"),
    ("dispatcher", "张调度", "dispatcher", "fgw", "region"),
    ("leader", LEADER_FOR_USER, "leader", "szf", "region"),
    ("reporter", "李填报", "reporter", "兰山区", "region"),
    ("reporter2", "王填报", "reporter", "罗庄区", "region"),
    ("handler", "赵办理", "handler", "zrzy", "region"),
    ("inspector", "刘督查", "inspector", "dcs", "region"),
    ("security", "孙安全", "security", "fgw", "region"),
    ("auditor", "周审计", "auditor", "fgw", "region"),
]
DEMO_PASSWORD = "tuijin-demo"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "建国志强海明伟军磊洋勇艳娟静丽敏涛超斌鹏辉刚杰峰霞婷宁华玲亮琳晨欣瑞博文浩宇宏运平东"

# Owner enterprises: each region gets state-owned platforms plus private companies of its industries.
BRAND_A = "鑫华金恒宏盛凯联汇晟泰博睿润德正天远东启嘉锦海兴中瀚铭昌航"
BRAND_B = "泰宇昊达源丰通诚远晟航邦辰信利隆翔阳康川祥越坤宸峰"
INDUSTRY_NOUNS = {
    "mfg": ["机械制造", "智能装备", "汽车零部件", "电机", "工程机械", "精密制造", "电子科技"],
    "material": ["新材料", "不锈钢", "特种钢材", "木业", "陶瓷", "化工新材料", "新型建材"],
    "pharma": ["药业", "生物科技", "医疗器械", "制药"],
    "service": ["置业", "商业管理", "电子商务", "科技服务"],
    "logistics": ["物流", "供应链管理", "国际物流"],
    "coldchain": ["冷链物流", "食品", "农产品"],
    "energy": ["新能源科技", "光伏科技", "储能科技", "风电"],
    "data": ["数字科技", "信息技术", "云计算"],
    "env": ["环保科技", "再生资源", "环境工程"],
    "tourism": ["文旅发展", "旅游开发"],
    "care": ["养老服务", "康养产业", "健康管理"],
}
# City-level owners: kind tag, name.
CITY_OWNERS = [
    ("chengtou", "临沂城市发展集团有限公司"),
    ("jiaotou", "临沂交通发展集团有限公司"),
    ("shuiwu", "临沂水务集团有限公司"),
    ("wenlv", "临沂文化旅游发展集团有限公司"),
    ("nongfa", "临沂农业发展集团有限公司"),
    ("hospital", "临沂市人民医院"),
    ("tcm", "临沂市中医医院"),
    ("hospital", "临沂市妇女儿童医院"),
    ("university", "临沂大学"),
    ("vocational", "临沂职业学院"),
    ("vocational", "临沂科技职业学院"),
    ("vocational", "临沂技师学院"),
    ("telecom", "中国移动通信集团山东有限公司临沂分公司"),
    ("telecom", "中国联合网络通信有限公司临沂市分公司"),
    ("telecom", "中国电信股份有限公司临沂分公司"),
    ("airport", "临沂机场管理有限公司"),
    ("rail", "山东铁路投资控股集团有限公司"),
    ("expressway", "山东高速临沂发展有限公司"),
    ("gas", "临沂中燃城市燃气有限公司"),
    ("heat", "临沂市热力有限公司"),
    ("mall", "临沂商城管理集团有限公司"),
    ("energyco", "临沂能源集团有限公司"),
    ("data", "临沂数字产业发展有限公司"),
]

# Subcategories: (top, child) → how projects of this kind look.
#   weight per region type (urban / county / zone / city), log10 investment range (万元: low, mode, high),
#   owner tags in order of preference, responsible departments, national industry code, funding kind,
#   name templates, scale template, phases.
BUILDING_PHASES = ["基础施工", "主体结构施工", "二次结构及机电安装", "装饰装修及室外配套", "竣工验收"]
LINE_PHASES = ["征地拆迁及施工准备", "路基及管线工程", "桥涵及构筑物工程", "路面及附属工程", "交工验收"]
PLANT_PHASES = ["土地平整及基础施工", "厂房主体施工", "设备采购及安装", "设备调试及试生产", "竣工投产"]
WATER_PHASES = ["施工准备及导流", "主体工程施工", "配套建筑物施工", "附属工程及绿化", "竣工验收"]
DEVICE_PHASES = ["方案设计及设备招标", "土建及机房施工", "设备安装", "系统联调", "竣工验收"]

SUBCATEGORIES = {
    ("交通", "公路"): dict(
        w=(4, 9, 2, 6), inv=(3.9, 4.8, 6.2), owners=["jiaotou"], depts=["jt", "zrzy", "sthj"],
        industry="48", fund="gov", phases=LINE_PHASES,
        names=["{r}{town}至{town2}公路改建工程", "G205国道{r}段改线工程", "S229省道{r}段大修工程",
               "{r}农村公路提档升级工程（{y}年）", "{r}{road}东延工程", "{r}{town}连接线工程",
               "G327国道{r}段改建工程", "S335省道{r}段提升工程"],
        city_names=["临沂至滕州高速公路临沂段", "京沪高速公路临沂段改扩建工程", "临沂至枣庄高速公路",
                    "沂水至邳州高速公路临沂段", "临沂城区外环路改造提升工程"],
        scale="改建公路全长{km}公里，按{grade}标准建设，路基宽度{w}米，新建改建桥梁{b}座。",
    ),
    ("交通", "铁路"): dict(
        w=(0, 0, 0, 5), inv=(5.6, 6.0, 6.3), owners=["rail"], depts=["jt", "zrzy", "fgw"], industry="48",
        fund="gov", phases=LINE_PHASES,
        names=["{r}铁路专用线工程"],
        city_names=["临沂至淮安高速铁路临沂段", "京沪高铁辅助通道临沂段", "临沂北站站房改造工程",
                    "临沂至曲阜铁路扩能改造工程", "鲁南高铁临沂东站综合交通枢纽"],
        scale="线路全长{km}公里，设计时速{speed}公里，新建改建车站{b}座。",
    ),
    ("交通", "机场"): dict(
        w=(0, 0, 0, 2), inv=(4.8, 5.3, 5.8), owners=["airport"], depts=["jt", "fgw", "zrzy"], industry="48",
        fund="gov", phases=BUILDING_PHASES,
        names=["{r}通用机场建设项目"],
        city_names=["临沂启阳国际机场航站区改扩建工程", "临沂启阳国际机场货运区建设项目"],
        scale="新建航站楼{area}平方米，改扩建站坪机位{b}个及配套设施。",
    ),
    ("交通", "港口航道"): dict(
        w=(0, 1, 2, 1), inv=(4.3, 5.0, 5.7), owners=["jiaotou"], depts=["jt", "sl", "zrzy"], industry="48",
        fund="mixed", phases=WATER_PHASES,
        names=["{r}公铁水联运无水港项目", "{r}内陆港物流枢纽建设项目", "沂河（{r}段）航道整治工程"],
        city_names=["临沂内陆港多式联运枢纽项目"],
        scale="建设泊位及作业区{b}个，堆场{area}平方米及配套设施。",
    ),
    ("交通", "城市交通"): dict(
        w=(6, 2, 2, 2), inv=(3.5, 4.3, 5.3), owners=["jiaotou", "chengtou"], depts=["jt", "jj", "zjj"],
        industry="48", fund="gov", phases=LINE_PHASES,
        names=["{r}{road}快速路改造工程", "{r}智慧公交场站建设项目", "{r}公共停车场建设项目（{y}年）",
               "{r}城区公交首末站建设工程", "{r}{road}立交桥建设工程"],
        city_names=["临沂城区智能交通系统提升工程", "临沂城区BRT线网优化工程"],
        scale="建设道路、公交场站及停车设施，总用地面积{area}平方米，同步建设智能交通系统。",
    ),
    ("市政", "道路桥梁"): dict(
        w=(10, 6, 6, 2), inv=(3.5, 4.4, 5.4), owners=["chengtou"], depts=["zjj", "zrzy", "cg"], industry="48",
        fund="gov", phases=LINE_PHASES,
        names=["{r}{road}改造提升工程", "{r}北城新区道路改造提升工程", "{river}{town}大桥建设工程",
               "{r}{town}片区道路建设工程", "{r}{road}西延工程", "{r}城区道路“白改黑”工程（{y}年）"],
        city_names=["沂河{town}大桥建设工程", "临沂城区跨沂河通道建设工程"],
        scale="新建改造道路全长{km}公里，红线宽度{w}米，同步建设雨污水管网、照明、绿化等配套工程。",
    ),
    ("市政", "供排水"): dict(
        w=(5, 4, 3, 1), inv=(3.3, 4.1, 5.0), owners=["shuiwu", "chengtou"], depts=["zjj", "sthj", "cg"],
        industry="46", fund="gov", phases=WATER_PHASES,
        names=["{r}城区雨污分流改造工程", "{r}第二污水处理厂扩建工程", "{r}供水管网改造工程（{y}年）",
               "{r}{town}污水处理厂提标改造工程", "{r}城区排水防涝能力提升工程"],
        city_names=["临沂中心城区排水防涝设施建设工程"],
        scale="新建改造供排水管网{km}公里，新增处理能力{cap}万吨/日。",
    ),
    ("市政", "燃气热力"): dict(
        w=(3, 2, 2, 1), inv=(3.3, 4.0, 5.2), owners=["gas", "heat", "chengtou"], depts=["zjj", "cg", "yj"],
        industry="45", fund="mixed", phases=LINE_PHASES,
        names=["{r}城区集中供热管网改造工程", "{r}燃气管道老化更新改造工程（{y}年）", "{r}热电联产集中供热项目",
               "{r}{town}天然气管网延伸工程"],
        city_names=["临沂中心城区长输供热管网工程"],
        scale="新建改造燃气热力管网{km}公里，新增供热面积{area}万平方米。",
    ),
    ("市政", "城市更新"): dict(
        w=(8, 4, 1, 1), inv=(3.4, 4.3, 5.4), owners=["chengtou"], depts=["zjj", "zrzy", "cg"], industry="47",
        fund="gov", phases=BUILDING_PHASES,
        names=["{r}{y}年老旧小区改造项目", "{r}{town}片区城市更新项目", "{r}{road}历史街区改造提升项目",
               "{r}城中村改造安置房项目", "{r}{town}棚户区改造项目"],
        city_names=["临沂老城区城市更新示范项目"],
        scale="改造老旧小区{b}个、建筑面积{area}万平方米，完善水电气暖及公共服务设施。",
    ),
    ("信息", "5G与通信"): dict(
        w=(2, 2, 2, 3), inv=(3.2, 3.7, 4.5), owners=["telecom"], depts=["gxj", "dsj", "zrzy"], industry="63",
        fund="ent", phases=DEVICE_PHASES,
        names=["{r}5G基站建设项目（{y}年）", "{r}千兆光网提升工程", "{r}5G+智慧园区建设项目"],
        city_names=["临沂市5G网络建设项目（{y}年）", "临沂市千兆光网城市建设项目"],
        scale="新建5G基站{b}个，完善配套传输网络及机房设施。",
    ),
    ("信息", "数据中心"): dict(
        w=(1, 1, 3, 3), inv=(4.0, 4.8, 5.7), owners=["data", "company:data", "telecom"], depts=["dsj", "gxj", "gd"],
        industry="64", fund="ent", phases=DEVICE_PHASES, land=True,
        names=["{r}智算中心建设项目", "{co}大数据中心项目", "{r}云计算数据中心项目"],
        city_names=["临沂市城市大脑二期项目", "沂蒙云谷数据中心项目"],
        scale="建设标准机柜{racks}个及配套供配电、制冷设施，总建筑面积{area}平方米。",
    ),
    ("信息", "工业互联网"): dict(
        w=(1, 1, 3, 1), inv=(3.2, 3.8, 4.6), owners=["company:mfg", "company:data", "data"],
        depts=["gxj", "dsj", "kj"], industry="65", fund="ent", phases=DEVICE_PHASES,
        names=["{co}智能工厂数字化改造项目", "{r}工业互联网标识解析二级节点项目", "{co}工业互联网平台建设项目"],
        city_names=["临沂市工业互联网公共服务平台项目"],
        scale="建设工业互联网平台，完成{b}条生产线数字化改造。",
    ),
    ("能源", "电力电网"): dict(
        w=(2, 2, 2, 6), inv=(3.6, 4.2, 5.3), owners=["grid"], depts=["gd", "fgw", "zrzy"], industry="44",
        fund="ent", phases=LINE_PHASES,
        names=["{r}{town}220千伏输变电工程", "{r}110千伏{town}变电站新建工程", "{r}农村电网巩固提升工程（{y}年）"],
        city_names=["临沂沂蒙500千伏输变电工程", "临沂东500千伏变电站扩建工程", "临沂电网220千伏网架优化工程"],
        scale="新建变电容量{mva}兆伏安，新建线路{km}公里。",
    ),
    ("能源", "新能源"): dict(
        w=(1, 4, 2, 2), inv=(3.8, 4.6, 5.6), owners=["company:energy", "energyco"], depts=["fgw", "zrzy", "gd"],
        industry="44", fund="ent", phases=PLANT_PHASES, land=True, produces=True,
        names=["{r}{town}{n}万千瓦光伏发电项目", "{r}{town}风电场项目", "{r}整县屋顶分布式光伏项目",
               "{co}渔光互补光伏发电项目"],
        city_names=["临沂市沂蒙山区风光储一体化基地项目"],
        scale="建设装机容量{mw}兆瓦及配套升压站、集电线路。",
    ),
    ("能源", "油气管网"): dict(
        w=(1, 1, 1, 2), inv=(3.6, 4.2, 5.0), owners=["gas", "energyco"], depts=["fgw", "yj", "zrzy"],
        industry="57", fund="ent", phases=LINE_PHASES,
        names=["{r}天然气支线管道工程", "{r}LNG储配站项目", "{r}{town}天然气门站项目"],
        city_names=["临沂市天然气管网互联互通工程"],
        scale="新建天然气管道{km}公里及配套站场。",
    ),
    ("能源", "储能"): dict(
        w=(1, 2, 2, 2), inv=(4.0, 4.7, 5.7), owners=["company:energy", "energyco"], depts=["fgw", "gd", "yj"],
        industry="44", fund="ent", phases=PLANT_PHASES, land=True, produces=True,
        names=["{r}{n}万千瓦独立储能电站项目", "{co}共享储能电站项目"],
        city_names=["沂蒙抽水蓄能电站配套送出工程"],
        scale="建设储能规模{mw}兆瓦/{mwh}兆瓦时及配套升压站。",
    ),
    ("水利", "水库"): dict(
        w=(0, 3, 0, 1), inv=(3.3, 3.9, 4.8), owners=["shuiwu"], depts=["sl", "yj", "zrzy"], industry="76",
        fund="gov", phases=WATER_PHASES,
        names=["{r}{reservoir}水库除险加固工程", "{r}小型水库雨水情测报设施建设工程（{y}年）",
               "{r}{reservoir}水库增容工程"],
        city_names=["临沂市大中型水库安全监测提升工程"],
        scale="对大坝、溢洪道、放水洞进行除险加固，完善安全监测设施。",
    ),
    ("水利", "河道治理"): dict(
        w=(3, 4, 1, 5), inv=(3.5, 4.3, 5.5), owners=["shuiwu", "chengtou"], depts=["sl", "sthj", "zrzy"],
        industry="76", fund="gov", phases=WATER_PHASES,
        names=["{river}（{r}段）防洪治理工程", "{r}{river}综合整治工程", "{r}中小河流治理工程（{y}年）"],
        city_names=["沂河东岸防洪治理工程", "沭河临沂段防洪提升工程", "祊河综合治理工程", "沂河刘家道口枢纽提升工程"],
        scale="治理河道长度{km}公里，新建加固堤防{km2}公里，建设拦河闸坝{b}座。",
    ),
    ("水利", "灌区"): dict(
        w=(1, 2, 0, 1), inv=(3.5, 4.0, 4.8), owners=["shuiwu", "nongfa"], depts=["sl", "nync", "zrzy"],
        industry="76", fund="gov", phases=WATER_PHASES,
        names=["{r}{irrigation}灌区续建配套与现代化改造工程"],
        city_names=["临沂市大型灌区现代化改造工程"],
        scale="改造渠道{km}公里，配套建筑物{b}座，改善灌溉面积{mu}万亩。",
    ),
    ("水利", "供水工程"): dict(
        w=(1, 3, 1, 2), inv=(3.4, 4.1, 5.0), owners=["shuiwu"], depts=["sl", "zjj", "sthj"], industry="46",
        fund="gov", phases=WATER_PHASES,
        names=["{r}城乡供水一体化工程", "{r}第二水厂建设项目", "{r}农村供水保障工程（{y}年）"],
        city_names=["临沂市跨区域调水工程"],
        scale="新建水厂规模{cap}万吨/日，铺设供水管网{km}公里。",
    ),
    ("商贸物流", "商城市场"): dict(
        w=(6, 2, 1, 1), inv=(3.8, 4.5, 5.4), owners=["mall", "company:logistics", "company:service"],
        depts=["sw", "zrzy", "sj"], industry="51", fund="ent", phases=BUILDING_PHASES, land=True,
        names=["{r}{town}专业批发市场改造升级项目", "{co}国际商贸城项目", "{r}小商品城提升改造项目",
               "{r}汽车商贸城项目"],
        city_names=["临沂商城国际采购中心项目"],
        scale="总建筑面积{area}万平方米，建设交易区、仓储区、配送中心及配套设施。",
    ),
    ("商贸物流", "物流园区"): dict(
        w=(6, 2, 4, 1), inv=(3.8, 4.6, 5.5), owners=["company:logistics", "jiaotou"], depts=["sw", "jt", "zrzy"],
        industry="59", fund="ent", phases=BUILDING_PHASES, land=True,
        names=["{co}智慧物流园项目", "{r}公铁联运物流园项目", "{co}供应链产业园项目", "{r}电商快递分拨中心项目"],
        city_names=["临沂国家物流枢纽建设项目"],
        scale="总建筑面积{area}万平方米，建设智能仓储、分拨中心、信息平台及配套设施。",
    ),
    ("商贸物流", "冷链物流"): dict(
        w=(3, 3, 1, 0), inv=(3.5, 4.2, 5.0), owners=["company:coldchain", "nongfa"], depts=["sw", "nync", "sj"],
        industry="59", fund="ent", phases=BUILDING_PHASES, land=True, produces=True,
        names=["{co}冷链物流中心项目", "{r}农产品冷链仓储项目", "{co}冷链加工配送中心项目"],
        city_names=[],
        scale="建设冷库容量{cap}万吨及分拣加工、配送中心。",
    ),
    ("教育", "基础教育"): dict(
        w=(7, 6, 2, 0), inv=(3.4, 4.0, 4.8), owners=["chengtou"], depts=["jy", "zjj", "zrzy"],
        industry="83", fund="gov", phases=BUILDING_PHASES,
        names=["{r}{town}中学新建工程", "{r}第{ordinal}实验小学建设项目", "{r}{town}幼儿园建设项目",
               "{r}{town}九年一贯制学校建设项目", "{r}第{ordinal}中学扩建工程", "{r}第一中学新校区建设项目"],
        city_names=[],
        scale="总建筑面积{area}平方米，建设教学楼、实验楼、宿舍楼、风雨操场等，设{classes}个教学班。",
    ),
    ("教育", "职业教育"): dict(
        w=(1, 2, 1, 2), inv=(3.6, 4.2, 5.0), owners=["vocational", "school"], depts=["jy", "rs", "zrzy"],
        industry="83", fund="gov", phases=BUILDING_PHASES,
        names=["{r}职业中等专业学校新校区建设项目", "{r}职教中心实训基地建设项目"],
        city_names=["临沂职业学院产教融合实训基地项目", "临沂科技职业学院新校区二期工程", "临沂技师学院新校区建设项目"],
        scale="总建筑面积{area}平方米，建设教学楼、实训楼、宿舍楼及配套设施。",
    ),
    ("教育", "高等教育"): dict(
        w=(0, 0, 0, 3), inv=(4.3, 4.8, 5.4), owners=["university"], depts=["jy", "zrzy", "fgw"], industry="83",
        fund="gov", phases=BUILDING_PHASES,
        names=[],
        city_names=["临沂大学图书馆及学生活动中心建设项目", "临沂大学新工科实验楼建设项目", "临沂大学东校区学生公寓项目"],
        scale="总建筑面积{area}平方米，建设实验教学、学生生活及配套设施。",
    ),
    ("医养", "医疗卫生"): dict(
        w=(4, 5, 1, 3), inv=(3.6, 4.5, 5.3), owners=["hospital", "tcm"], depts=["wjw", "zjj", "yb"], industry="84",
        fund="gov", phases=BUILDING_PHASES,
        names=["{r}人民医院新院区建设项目", "{r}中医医院病房综合楼项目", "{r}妇幼保健院迁建项目",
               "{r}{town}卫生院改扩建工程", "{r}疾病预防控制中心业务楼项目"],
        city_names=["临沂市人民医院北城新区医院二期工程", "临沂市中医医院康复中心项目", "临沂市妇女儿童医院综合楼项目"],
        scale="总建筑面积{area}平方米，设置床位{beds}张，配套医技、门急诊及后勤设施。",
    ),
    ("医养", "养老服务"): dict(
        w=(3, 3, 1, 1), inv=(3.2, 3.8, 4.6), owners=["chengtou", "company:care"], depts=["mz", "wjw", "zjj"],
        industry="85", fund="mixed", phases=BUILDING_PHASES,
        names=["{r}{town}颐养中心建设项目", "{r}社会福利中心项目", "{r}医养结合示范中心项目"],
        city_names=["临沂市社会福利院二期项目"],
        scale="总建筑面积{area}平方米，设置养老床位{beds}张及康复护理配套设施。",
    ),
    ("农村", "乡村振兴"): dict(
        w=(1, 7, 0, 0), inv=(3.3, 4.0, 4.9), owners=["nongfa", "wenlv"], depts=["nync", "zrzy", "wl"],
        industry="05", fund="mixed", phases=BUILDING_PHASES,
        names=["{r}{town}乡村振兴示范片区建设项目", "{r}{town}田园综合体项目", "{r}{town}现代农业产业园项目"],
        city_names=[],
        scale="建设内容包括产业发展、基础设施提升、人居环境整治，覆盖{b}个行政村。",
    ),
    ("农村", "农田水利"): dict(
        w=(1, 5, 0, 0), inv=(3.3, 3.8, 4.5), owners=["nongfa", "shuiwu"], depts=["nync", "sl", "zrzy"],
        industry="05", fund="gov", phases=WATER_PHASES,
        names=["{r}{y}年高标准农田建设项目", "{r}{town}小型农田水利工程"],
        city_names=[],
        scale="建设高标准农田{mu}万亩，配套灌排、田间道路及农田防护设施。",
    ),
    ("农村", "人居环境"): dict(
        w=(1, 4, 0, 0), inv=(3.0, 3.6, 4.3), owners=["nongfa", "chengtou"], depts=["nync", "sthj", "zjj"],
        industry="77", fund="gov", phases=BUILDING_PHASES,
        names=["{r}农村生活污水治理项目（{y}年）", "{r}{town}美丽乡村建设项目", "{r}农村改厕及人居环境整治项目"],
        city_names=[],
        scale="完成{b}个村生活污水治理及道路、绿化、照明等环境整治。",
    ),
    ("产业", "先进制造"): dict(
        w=(7, 7, 18, 0), inv=(3.8, 4.6, 6.0), owners=["company:mfg"], depts=["gxj", "zrzy", "sthj"],
        industry="34", fund="ent", phases=PLANT_PHASES, land=True, produces=True,
        names=["{co}年产{n}万台（套）智能装备项目", "{co}新能源汽车电机产业化项目", "{co}工程机械关键零部件智能制造项目",
               "{r}年产{n}万套汽车零部件项目", "{co}高端数控机床产业化项目", "{r}智能家居产业园项目",
               "{co}光电显示模组项目"],
        city_names=[],
        scale="总建筑面积{area}万平方米，购置生产设备{eq}台（套），达产后年可实现营业收入{rev}亿元。",
    ),
    ("产业", "新材料"): dict(
        w=(5, 6, 16, 0), inv=(3.8, 4.7, 6.3), owners=["company:material"], depts=["gxj", "sthj", "zrzy"],
        industry="31", fund="ent", phases=PLANT_PHASES, land=True, produces=True,
        names=["{r}年产{n}万吨高端不锈钢项目", "{co}年产{n}万立方米高端生态板材项目", "{co}年产{n}万吨特种合金材料项目",
               "{co}年产{n}万吨高性能纤维项目", "{co}年产{n}万平方米高端陶瓷岩板项目", "{r}年产{n}万吨锂电池正极材料项目",
               "{co}年产{n}万吨生物可降解材料项目"],
        city_names=[],
        scale="总建筑面积{area}万平方米，购置生产设备{eq}台（套），达产后年可实现营业收入{rev}亿元。",
    ),
    ("产业", "生物医药"): dict(
        w=(2, 3, 8, 0), inv=(3.8, 4.5, 5.6), owners=["company:pharma"], depts=["gxj", "sj", "kj"], industry="27",
        fund="ent", phases=PLANT_PHASES, land=True, produces=True,
        names=["{co}{drug}产业化项目", "{r}生物医药产业园项目", "{co}年产{n}亿片（粒）固体制剂项目",
               "{co}医疗器械生产基地项目"],
        city_names=[],
        scale="总建筑面积{area}万平方米，建设GMP生产车间、研发中心及配套设施，达产后年可实现营业收入{rev}亿元。",
    ),
    ("产业", "现代服务业"): dict(
        w=(5, 3, 5, 0), inv=(3.8, 4.6, 5.5), owners=["company:service", "chengtou"], depts=["sw", "zrzy", "tc"],
        industry="72", fund="ent", phases=BUILDING_PHASES, land=True,
        names=["{r}{town}商业综合体项目", "{r}电商直播产业基地项目", "{r}现代金融服务中心项目", "{r}总部经济大厦项目",
               "{r}科技创新孵化中心项目"],
        city_names=[],
        scale="总建筑面积{area}万平方米，建设商业、办公、孵化及配套服务设施。",
    ),
    ("产业", "文化旅游"): dict(
        w=(2, 5, 1, 0), inv=(3.6, 4.4, 5.4), owners=["wenlv", "company:tourism"], depts=["wl", "zrzy", "sthj"],
        industry="78", fund="mixed", phases=BUILDING_PHASES, land=True,
        names=["{r}{scenic}景区提升改造项目", "{r}{town}文旅小镇项目", "{r}红色文化教育基地项目",
               "{r}沂蒙山水度假区项目", "{r}{river}夜游项目"],
        city_names=["沂蒙红色文化旅游精品线路提升工程"],
        scale="建设游客中心、景观提升、民宿及配套设施，总建筑面积{area}平方米。",
    ),
    ("生态", "环境治理"): dict(
        w=(2, 2, 2, 2), inv=(3.4, 4.1, 5.0), owners=["chengtou", "shuiwu", "company:env"], depts=["sthj", "sl", "zrzy"],
        industry="77", fund="gov", phases=WATER_PHASES,
        names=["{r}{river}流域水环境综合治理工程", "{r}矿山生态修复项目", "{r}{river}人工湿地建设工程"],
        city_names=["沂河流域山水林田湖草沙一体化保护和修复工程"],
        scale="实施河道清淤、生态护岸、湿地修复等工程，治理面积{area2}平方公里。",
    ),
    ("生态", "园林绿化"): dict(
        w=(3, 2, 2, 1), inv=(3.2, 3.8, 4.6), owners=["chengtou"], depts=["cg", "zjj", "zrzy"], industry="78",
        fund="gov", phases=BUILDING_PHASES,
        names=["{r}{park}公园建设项目", "{r}城区绿道建设工程（{y}年）", "{r}{road}景观提升工程"],
        city_names=["临沂市滨河景区提升改造工程"],
        scale="建设公园绿地{mu2}亩，配套园路、广场、智慧设施及服务驿站。",
    ),
    ("生态", "固废处置"): dict(
        w=(2, 2, 2, 1), inv=(3.6, 4.3, 5.1), owners=["company:env", "chengtou"], depts=["cg", "sthj", "zrzy"],
        industry="77", fund="mixed", phases=PLANT_PHASES, land=True,
        names=["{r}生活垃圾焚烧发电项目", "{r}建筑垃圾资源化利用项目", "{r}餐厨垃圾处理项目", "{co}一般工业固废综合利用项目"],
        city_names=["临沂市危险废物集中处置中心项目"],
        scale="建设处理规模{cap2}吨/日的处理设施及配套工程。",
    ),
}

# Product templates only a company of the matching trade would carry (company noun → template).
TEMPLATE_NOUNS = {
    "{co}年产{n}万台（套）智能装备项目": ["智能装备", "机械制造", "精密制造"],
    "{co}新能源汽车电机产业化项目": ["电机", "汽车零部件"],
    "{co}工程机械关键零部件智能制造项目": ["工程机械", "机械制造", "精密制造"],
    "{r}年产{n}万套汽车零部件项目": ["汽车零部件", "精密制造"],
    "{co}高端数控机床产业化项目": ["机械制造", "精密制造", "智能装备"],
    "{r}智能家居产业园项目": ["电子科技", "智能装备"],
    "{co}光电显示模组项目": ["电子科技"],
    "{r}年产{n}万吨高端不锈钢项目": ["不锈钢", "特种钢材"],
    "{co}年产{n}万立方米高端生态板材项目": ["木业", "新型建材"],
    "{co}年产{n}万吨特种合金材料项目": ["特种钢材", "新材料"],
    "{co}年产{n}万吨高性能纤维项目": ["新材料", "化工新材料"],
    "{co}年产{n}万平方米高端陶瓷岩板项目": ["陶瓷", "新型建材"],
    "{r}年产{n}万吨锂电池正极材料项目": ["新材料", "化工新材料"],
    "{co}年产{n}万吨生物可降解材料项目": ["化工新材料", "新材料"],
    "{co}{drug}产业化项目": ["药业", "生物科技", "制药"],
    "{co}年产{n}亿片（粒）固体制剂项目": ["药业", "制药"],
    "{co}医疗器械生产基地项目": ["医疗器械"],
    "{r}{town}{n}万千瓦光伏发电项目": ["光伏科技", "新能源科技"],
    "{r}{town}风电场项目": ["风电", "新能源科技"],
    "{r}整县屋顶分布式光伏项目": ["光伏科技", "新能源科技"],
    "{co}渔光互补光伏发电项目": ["光伏科技", "新能源科技"],
    "{r}{n}万千瓦独立储能电站项目": ["储能科技", "新能源科技"],
    "{co}共享储能电站项目": ["储能科技", "新能源科技"],
    "{co}大数据中心项目": ["数字科技", "云计算", "信息技术"],
    "{co}智能工厂数字化改造项目": ["机械制造", "智能装备", "汽车零部件", "电机", "工程机械", "精密制造", "电子科技"],
    "{co}工业互联网平台建设项目": ["信息技术", "数字科技", "云计算"],
    "{co}供应链产业园项目": ["物流", "国际物流"],
    "{co}国际商贸城项目": ["置业", "商业管理"],
    "{co}冷链物流中心项目": ["食品", "农产品"],
}
# Templates that name their owner's kind outright.
TEMPLATE_OWNER = {
    "{r}城区集中供热管网改造工程": "heat",
    "{r}热电联产集中供热项目": "heat",
    "{r}燃气管道老化更新改造工程（{y}年）": "gas",
    "{r}{town}天然气管网延伸工程": "gas",
    "{r}{town}现代农业产业园项目": "nongfa",
    "临沂至滕州高速公路临沂段": "expressway",
    "京沪高速公路临沂段改扩建工程": "expressway",
    "临沂至枣庄高速公路": "expressway",
    "沂水至邳州高速公路临沂段": "expressway",
    "{r}人民医院新院区建设项目": "hospital",
    "{r}中医医院病房综合楼项目": "tcm",
    "{r}妇幼保健院迁建项目": "chengtou",
    "{r}疾病预防控制中心业务楼项目": "chengtou",
    "{r}{town}卫生院改扩建工程": "chengtou",
    "{r}第{ordinal}中学扩建工程": "chengtou",
    "{r}第一中学新校区建设项目": "school",
    "{r}职业中等专业学校新校区建设项目": "chengtou",
    "{r}职教中心实训基地建设项目": "chengtou",
}
