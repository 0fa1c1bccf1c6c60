"""Family names (姓) common enough to show in a masked name.

A masked name keeps its family name only when it surely is one: a name whose first
character is not on this list (a Tibetan 措姆, 尼玛次仁; an Uyghur 买买提·艾力) has no
family name to keep, and shows nothing of itself. Characters that begin many Tibetan,
Mongolian and Uyghur names (阿, 巴, 白, 卓, 普, 曲, 古 …) are left off the list although
a few Han families bear them: for those the mask shows a little less than it could.
"""

from __future__ import annotations

__all__ = ["COMPOUND_SURNAMES", "SURNAMES"]

SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛翁冉骆蓝路游辛靳管柴蒙鲍华喻祁"
    "蒲房滕屈饶解牟艾尤时穆农司简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵"
    "苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥"
    "南班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜阚权强帅屠豆朴盖练廉禹井祖漆丰支卿国狄"
    "计索宣晋相初门云容敬来扈晁芮都阙浦戈伏鹿薄邸雍辜羊母裘亓修邰赫杭况宿鲜印逯隆茹诸战慕危"
    "亢嵇湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)

COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
        "端木",
        "西门",
        "南宫",
        "独孤",
        "万俟",
        "闻人",
        "轩辕",
        "呼延",
    }
)
