"""Real boilerplate from tests/data (seed and corpus posts), and helpers to read those files.

BOILERPLATE: whole paragraphs each rule family drops, copied from the file named with them.
STRIPPED: text each family cuts out of a content paragraph of the named file.
Tests check that every entry really occurs in its file, so the lists stay honest.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from nlp.posts import read_post

from repo_data import POSTS_DIR, SEED

POSTS = sorted(POSTS_DIR.glob("*.md"))
HTML_POSTS = [SEED] + [path for path in POSTS if path.name.startswith("p")]

BOILERPLATE = {
    "bylines": [
        (SEED, "红星新闻记者 彭惊 摄影报道"),
        ("p003.md", "封面新闻记者 杜江茜"),
        ("p004.md", "齐鲁晚报·齐鲁晚报记者  于悦"),
        ("p008.md", "上游新闻记者 王乙竹 实习生 王玉梅"),
        ("p018.md", "齐鲁晚报·齐鲁壹点记者 梁莹莹 通讯员 周洪洋"),
        ("p019.md", "封面新闻记者 杨力"),
        ("p020.md", "齐鲁晚报·齐鲁壹点 记者 李顺高 通讯员 邵卫亮"),
        ("p023.md", "记者：刘迅"),
        ("p024.md", "作者：张澍楠"),
        ("p029.md", "（记者 方卓然）"),
        ("p006.md", "（易东 吴伟坚）"),
    ],
    "captions": [
        ("p005.md", "资料图：人民币。中新经纬熊思怡摄"),
        ("p007.md", "△ 截图来源：上海市市场监管局网站"),
        ("p007.md", "截图来源：叮咚买菜网站"),
        ("p012.md", "受访者供图。"),
        ("p012.md", "截图自微淼商学院官网。"),
        ("p012.md", "截图自黑猫投诉。"),
        ("p012.md", "截图自微信公众号。"),
        ("p021.md", "△环绕器拍摄火星车行驶轨迹"),
        ("p021.md", "△移动节点和里程"),
        ("p021.md", "△近期火星车拍摄巡视区全景影像"),
        ("p021.md", "△日凌示意图"),
        ("p021.md", "△中国首次火星探测任务成功金银纪念币正背面图片（从上至下为150g金币、8g金币、30g银币）"),
        ("p023.md", "图片由记者刘迅拍摄"),
        ("p024.md", "减税资料图。中新经纬 摄"),
        ("p024.md", "股市资料图。中新经纬 摄"),
        ("p024.md", "房产资料图。中新经纬 薛宇飞 摄"),
        ("p029.md", "中银金融中心项目效果图"),
    ],
    "editors": [
        (SEED, "编辑 柴畅"),
        ("p016.md", "【纠错】【责任编辑 : 邱丽芳】"),
        ("p017.md", "流程编辑：u010"),
        ("p023.md", "统筹：田哲轶 江虹"),
        ("p023.md", "审核：贾楠 李赞歌"),
        ("p023.md", "编辑：李志财"),
        ("p023.md", "责编：刘福庆"),
        ("p023.md", "监审：王勍"),
        ("p027.md", "流程编辑：u022"),
    ],
    "promos": [
        (SEED, "（下载红星新闻，报料有奖！）"),
        ("p004.md", ("找记者、求报道、求帮助，各大应用市场下载“齐鲁壹点”APP或搜索微信小程序“壹点情报站”，"
                     "全省600多位主流媒体记者在线等你来报料！")),
    ],
    "sources": [
        ("p001.md", "来源｜人民网"),
        ("p002.md", "【来源：正义网新闻】"),
        ("p005.md", "来源：中新经纬"),
        ("p006.md", "【来源：深圳特区报】"),
        ("p007.md", "来源：央视新闻客户端"),
        ("p009.md", "来源：《人民日报》（2021年04月22日 第02版）"),
        ("p011.md", "（来源：滨州日报）"),
        ("p012.md", "本文转自【中国新闻网】；"),
        ("p017.md", "来源：清风云南微信公众号"),
        ("p022.md", "来源：每日经济新闻（ID：nbdnews）"),
        ("p027.md", "来源：北京日报客户端 记者：孙乐琪"),
        ("p028.md", "本文转自【央视新闻客户端】；"),
    ],
    "original_titles": [
        ("p017.md", "（原标题：''75后''常务副县长高燕文涉嫌严重违纪违法被查）"),
    ],
    "share_prompts": [
        ("p014.md", "点击右上角"),
        ("p014.md", "选择在 浏览器打开"),
        ("h004.md", "查看原文"),
    ],
    "copyright": [
        ("p002.md", "版权归原作者所有，向原创致敬"),
        ("p006.md", "版权归原作者所有，向原创致敬"),
        ("p024.md", "中新经纬版权所有，未经书面授权，任何单位及个人不得转载、摘编以其它方式使用。"),
        ("p027.md", "版权声明：文本版权归京报集团所有，未经许可，不得转载或改编。"),
        ("j004.md", "本摘要由 AI 模型辅助生成：deepseek/deepseek-v4-flash"),
    ],
    "stub_notices": [
        ("p014.md", "此为临时链接，仅用于预览，将在 48 小时后失效"),
        ("p014.md", "前往 央视新闻"),
        ("p026.md", "原文已被删除"),
    ],
}

STRIPPED = {
    "bylines": [
        ("p002.md", "(记者范跃红 通讯员金倩如 陈涵韵)"),
        ("p016.md", "（记者田晓航、宋晨）"),
        ("p028.md", " （总台记者 何英平）"),
        ("p024.md", "( 熊家丽 )"),
    ],
    "sources": [("p001.md", "来源：民政部社会组织执法监督局"), ("p030.md", "（央视新闻）")],
    "share_prompts": [("p023.md", "相关链接＞＞今天上午！我市集中销毁涉案假冒伪劣整容针剂1.2万余瓶")],
}

# Whole units the cleaner drops from corpus posts besides BOILERPLATE: a label and a link, and a
# disclaimer, in Markdown posts (the HTML posts' exact output is checked in test_clean.py).
ALSO_DROPPED = [
    ("h004.md", "链接： https://openreview.net/forum?id=nAVejJURqZ"),
    ("h004.md", "链接： https://openreview.net/forum?id=le4IoZZHy1"),
    ("h004.md", "链接： https://openreview.net/forum?id=6TLdqAZgzn"),
    ("h004.md", "链接： https://openreview.net/forum?id=FiyS0ecSm0"),
    ("h004.md", "链接： https://openreview.net/pdf?id=yOOJwR15xg"),
    ("j003.md", "更新地址：https://github.com/Ihavee/overlay/tree/master/app-misc/ccal"),
    ("o001.md", "原文：https://research.jfrog.com/post/sqlite-critical-cves-or-llm-slops/"),
    ("j004.md", "本摘要基于 HN 讨论帖"),  # the start of the disclaimer unit (copyright family)
]

# Real content paragraphs that mention boilerplate words (记者, 来源, 编辑, 关注, 转发, 下载, 声明, 版权 …)
# and must come through cleaning whole.
CONTENT_WITH_BOILERPLATE_WORDS = [
    (SEED, "记者注意到，成都国际铁路港经开区和西藏拉萨经开区将着力围绕中欧班列通道合作"),
    ("p013.md", "建议转发给亲友看看。"),
    ("p019.md", "“蓉e行”微信公众号也将同步上线“违停消除申报”模块。"),
    ("p022.md", "”该负责人对记者说。"),
    ("p028.md", "具体开行信息请关注铁路12306网站及车站公告。"),
    ("p030.md", "共同联署《投资便利化联合声明》。各方在声明中强调"),
    ("p012.md", "中新网记者尝试报名启牛商学院的爆款理财小白直播课。其宣传页面显示，首席体验官为明星陆毅。扫码进群后"),
    ("p024.md", "建立全国卡拉 OK 音乐内容审核专家小组"),
    ("p025.md", "第一财经记者根据第七次全国人口普查数据"),
    ("o001.md", "团队建议不要盲信来源不明的新 CVE"),
    ("j004.md", "很多公司用的 Cursor 编辑器"),
    ("h003.md", "数据来源于网络，无法保证数据可通过审核；"),
]


def corpus_path(name) -> Path:
    return name if isinstance(name, Path) else POSTS_DIR / name


def listed_for(path: Path, table: dict) -> list[str]:
    """The lines or fragments a table (BOILERPLATE, STRIPPED) lists for one file."""
    return [text for entries in table.values() for name, text in entries if corpus_path(name) == path]


def body_and_title(path: Path) -> tuple[str, str | None]:
    post = read_post(path)
    title = post.data.get("title")
    return post.body, None if title is None else str(title)


def html_block_texts(body: str) -> list[str]:
    """Text of each block of a body (HTML blocks, blank-line separated Markdown blocks), found
    independently of nlp.markup: regular expressions, not a parser."""
    pieces = re.split(r"<(?:p|div|br|li|h\d)\b[^>]*>|</(?:p|div|li|h\d)>|\n\s*\n", body)
    texts = (html.unescape(re.sub(r"<[^>]*>", "", piece)) for piece in pieces)
    return [" ".join(text.split()) for text in texts if text.strip()]
