"""The folding names and addresses are compared by, defined so that the database computes it too.

`fold(text)`: NFKD; then every combining mark of COMBINING_MARKS removed; then each character
replaced by its full case folding (CASE_FOLDING, plus "ß" and "ẞ" -> "ss", and ASCII A-Z).

Python's own `casefold()` and `unicodedata.category()` follow the running interpreter's
Unicode version and PostgreSQL has neither, so the definition is these explicit tables, which
sql/migrations/0017_households_in_the_database.sql holds character for character (a unit test
reads them there; a database test compares the two on every code point of the Basic
Multilingual Plane). NFKD itself is each side's own (`unicodedata.normalize`, PostgreSQL's
`normalize(text, nfkd)`): decompositions of assigned characters never change between Unicode
versions, so the two agree except on characters one side's Unicode does not have yet.

COMBINING_MARKS are the nonspacing marks that are accents: the combining diacritical blocks,
Cyrillic titlo, Hebrew points and cantillation (niqqud), Arabic harakat. It is the body of a
regular-expression bracket, in escapes Python's `re` and PostgreSQL's regular expressions read
alike. Marks of other scripts (Indic vowel signs, Thai, the kana voicing marks) are letters'
parts there, not accents, and stay.

CASE_FOLDING is Unicode 14.0.0's full case folding (CaseFolding.txt, statuses C and F) of every
character that NFKD leaves as it is and that is not one of COMBINING_MARKS (folding happens after
both), ASCII A-Z and the two folding to "ss" aside; so for text of that Unicode version
`fold(text)` equals `casefold()` of the unmarked NFKD form. It is kept as one pair of equally
long strings (sources, targets) per block of 256 code points (those of the supplementary planes
in folding_supplementary.py): the database translates a block only when the text has a
character between its first and last source.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from engine.wards.folding_supplementary import SUPPLEMENTARY_CASE_FOLDING

UNICODE_VERSION = "14.0.0"

COMBINING_MARKS = (
    r"\u0300-\u036f"  # combining diacritical marks: the accents of Latin, Greek and Cyrillic
    r"\u0483-\u0487"  # Cyrillic titlo and palatalisation
    r"\u0591-\u05bd\u05bf\u05c1-\u05c2\u05c4-\u05c5\u05c7"  # Hebrew cantillation and points
    r"\u0610-\u061a\u064b-\u065f\u0670"  # Arabic harakat
    r"\u06d6-\u06dc\u06df-\u06e4\u06e7-\u06e8\u06ea-\u06ed"  # Arabic Quranic annotation marks
    r"\u1ab0-\u1aff"  # combining diacritical marks extended
    r"\u1dc0-\u1dff"  # combining diacritical marks supplement
    r"\u20d0-\u20ff"  # combining diacritical marks for symbols
    r"\ufb1e"  # Hebrew point judeo-spanish varika
    r"\ufe20-\ufe2f"  # combining half marks
)
ASCII_FOLDING = ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# The two full case foldings of more than one character; the database replaces them last.
EXPANDED_FOLDING = (("\u00df", "ss"), ("\u1e9e", "ss"))
CASE_FOLDING: tuple[tuple[str, str], ...] = (
    (  # U+00C6-U+00DE, 4 letters
        "\u00c6\u00d0\u00d8\u00de",
        "\u00e6\u00f0\u00f8\u00fe",
    ),
    (  # U+0110-U+01F7, 43 letters
        (
            "\u0110\u0126\u0141\u014a\u0152\u0166\u0181\u0182\u0184\u0186\u0187\u0189\u018a"
            "\u018b\u018e\u018f\u0190\u0191\u0193\u0194\u0196\u0197\u0198\u019c\u019d\u019f"
            "\u01a2\u01a4\u01a6\u01a7\u01a9\u01ac\u01ae\u01b1\u01b2\u01b3\u01b5\u01b7\u01b8"
            "\u01bc\u01e4\u01f6\u01f7"
        ),
        (
            "\u0111\u0127\u0142\u014b\u0153\u0167\u0253\u0183\u0185\u0254\u0188\u0256\u0257"
            "\u018c\u01dd\u0259\u025b\u0192\u0260\u0263\u0269\u0268\u0199\u026f\u0272\u0275"
            "\u01a3\u01a5\u0280\u01a8\u0283\u01ad\u0288\u028a\u028b\u01b4\u01b6\u0292\u01b9"
            "\u01bd\u01e5\u0195\u01bf"
        ),
    ),
    (  # U+021C-U+024E, 17 letters
        (
            "\u021c\u0220\u0222\u0224\u023a\u023b\u023d\u023e\u0241\u0243\u0244\u0245\u0246"
            "\u0248\u024a\u024c\u024e"
        ),
        (
            "\u021d\u019e\u0223\u0225\u2c65\u023c\u019a\u2c66\u0242\u0180\u0289\u028c\u0247"
            "\u0249\u024b\u024d\u024f"
        ),
    ),
    (  # U+0370-U+03FF, 47 letters
        (
            "\u0370\u0372\u0376\u037f\u0391\u0392\u0393\u0394\u0395\u0396\u0397\u0398\u0399"
            "\u039a\u039b\u039c\u039d\u039e\u039f\u03a0\u03a1\u03a3\u03a4\u03a5\u03a6\u03a7"
            "\u03a8\u03a9\u03c2\u03cf\u03d8\u03da\u03dc\u03de\u03e0\u03e2\u03e4\u03e6\u03e8"
            "\u03ea\u03ec\u03ee\u03f7\u03fa\u03fd\u03fe\u03ff"
        ),
        (
            "\u0371\u0373\u0377\u03f3\u03b1\u03b2\u03b3\u03b4\u03b5\u03b6\u03b7\u03b8\u03b9"
            "\u03ba\u03bb\u03bc\u03bd\u03be\u03bf\u03c0\u03c1\u03c3\u03c4\u03c5\u03c6\u03c7"
            "\u03c8\u03c9\u03c3\u03d7\u03d9\u03db\u03dd\u03df\u03e1\u03e3\u03e5\u03e7\u03e9"
            "\u03eb\u03ed\u03ef\u03f8\u03fb\u037b\u037c\u037d"
        ),
    ),
    (  # U+0402-U+04FE, 98 letters
        (
            "\u0402\u0404\u0405\u0406\u0408\u0409\u040a\u040b\u040f\u0410\u0411\u0412\u0413"
            "\u0414\u0415\u0416\u0417\u0418\u041a\u041b\u041c\u041d\u041e\u041f\u0420\u0421"
            "\u0422\u0423\u0424\u0425\u0426\u0427\u0428\u0429\u042a\u042b\u042c\u042d\u042e"
            "\u042f\u0460\u0462\u0464\u0466\u0468\u046a\u046c\u046e\u0470\u0472\u0474\u0478"
            "\u047a\u047c\u047e\u0480\u048a\u048c\u048e\u0490\u0492\u0494\u0496\u0498\u049a"
            "\u049c\u049e\u04a0\u04a2\u04a4\u04a6\u04a8\u04aa\u04ac\u04ae\u04b0\u04b2\u04b4"
            "\u04b6\u04b8\u04ba\u04bc\u04be\u04c0\u04c3\u04c5\u04c7\u04c9\u04cb\u04cd\u04d4"
            "\u04d8\u04e0\u04e8\u04f6\u04fa\u04fc\u04fe"
        ),
        (
            "\u0452\u0454\u0455\u0456\u0458\u0459\u045a\u045b\u045f\u0430\u0431\u0432\u0433"
            "\u0434\u0435\u0436\u0437\u0438\u043a\u043b\u043c\u043d\u043e\u043f\u0440\u0441"
            "\u0442\u0443\u0444\u0445\u0446\u0447\u0448\u0449\u044a\u044b\u044c\u044d\u044e"
            "\u044f\u0461\u0463\u0465\u0467\u0469\u046b\u046d\u046f\u0471\u0473\u0475\u0479"
            "\u047b\u047d\u047f\u0481\u048b\u048d\u048f\u0491\u0493\u0495\u0497\u0499\u049b"
            "\u049d\u049f\u04a1\u04a3\u04a5\u04a7\u04a9\u04ab\u04ad\u04af\u04b1\u04b3\u04b5"
            "\u04b7\u04b9\u04bb\u04bd\u04bf\u04cf\u04c4\u04c6\u04c8\u04ca\u04cc\u04ce\u04d5"
            "\u04d9\u04e1\u04e9\u04f7\u04fb\u04fd\u04ff"
        ),
    ),
    (  # U+0500-U+0556, 62 letters
        (
            "\u0500\u0502\u0504\u0506\u0508\u050a\u050c\u050e\u0510\u0512\u0514\u0516\u0518"
            "\u051a\u051c\u051e\u0520\u0522\u0524\u0526\u0528\u052a\u052c\u052e\u0531\u0532"
            "\u0533\u0534\u0535\u0536\u0537\u0538\u0539\u053a\u053b\u053c\u053d\u053e\u053f"
            "\u0540\u0541\u0542\u0543\u0544\u0545\u0546\u0547\u0548\u0549\u054a\u054b\u054c"
            "\u054d\u054e\u054f\u0550\u0551\u0552\u0553\u0554\u0555\u0556"
        ),
        (
            "\u0501\u0503\u0505\u0507\u0509\u050b\u050d\u050f\u0511\u0513\u0515\u0517\u0519"
            "\u051b\u051d\u051f\u0521\u0523\u0525\u0527\u0529\u052b\u052d\u052f\u0561\u0562"
            "\u0563\u0564\u0565\u0566\u0567\u0568\u0569\u056a\u056b\u056c\u056d\u056e\u056f"
            "\u0570\u0571\u0572\u0573\u0574\u0575\u0576\u0577\u0578\u0579\u057a\u057b\u057c"
            "\u057d\u057e\u057f\u0580\u0581\u0582\u0583\u0584\u0585\u0586"
        ),
    ),
    (  # U+10A0-U+10CD, 40 letters
        (
            "\u10a0\u10a1\u10a2\u10a3\u10a4\u10a5\u10a6\u10a7\u10a8\u10a9\u10aa\u10ab\u10ac"
            "\u10ad\u10ae\u10af\u10b0\u10b1\u10b2\u10b3\u10b4\u10b5\u10b6\u10b7\u10b8\u10b9"
            "\u10ba\u10bb\u10bc\u10bd\u10be\u10bf\u10c0\u10c1\u10c2\u10c3\u10c4\u10c5\u10c7"
            "\u10cd"
        ),
        (
            "\u2d00\u2d01\u2d02\u2d03\u2d04\u2d05\u2d06\u2d07\u2d08\u2d09\u2d0a\u2d0b\u2d0c"
            "\u2d0d\u2d0e\u2d0f\u2d10\u2d11\u2d12\u2d13\u2d14\u2d15\u2d16\u2d17\u2d18\u2d19"
            "\u2d1a\u2d1b\u2d1c\u2d1d\u2d1e\u2d1f\u2d20\u2d21\u2d22\u2d23\u2d24\u2d25\u2d27"
            "\u2d2d"
        ),
    ),
    (  # U+13F8-U+13FD, 6 letters
        "\u13f8\u13f9\u13fa\u13fb\u13fc\u13fd",
        "\u13f0\u13f1\u13f2\u13f3\u13f4\u13f5",
    ),
    (  # U+1C80-U+1CBF, 55 letters
        (
            "\u1c80\u1c81\u1c82\u1c83\u1c84\u1c85\u1c86\u1c87\u1c88\u1c90\u1c91\u1c92\u1c93"
            "\u1c94\u1c95\u1c96\u1c97\u1c98\u1c99\u1c9a\u1c9b\u1c9c\u1c9d\u1c9e\u1c9f\u1ca0"
            "\u1ca1\u1ca2\u1ca3\u1ca4\u1ca5\u1ca6\u1ca7\u1ca8\u1ca9\u1caa\u1cab\u1cac\u1cad"
            "\u1cae\u1caf\u1cb0\u1cb1\u1cb2\u1cb3\u1cb4\u1cb5\u1cb6\u1cb7\u1cb8\u1cb9\u1cba"
            "\u1cbd\u1cbe\u1cbf"
        ),
        (
            "\u0432\u0434\u043e\u0441\u0442\u0442\u044a\u0463\ua64b\u10d0\u10d1\u10d2\u10d3"
            "\u10d4\u10d5\u10d6\u10d7\u10d8\u10d9\u10da\u10db\u10dc\u10dd\u10de\u10df\u10e0"
            "\u10e1\u10e2\u10e3\u10e4\u10e5\u10e6\u10e7\u10e8\u10e9\u10ea\u10eb\u10ec\u10ed"
            "\u10ee\u10ef\u10f0\u10f1\u10f2\u10f3\u10f4\u10f5\u10f6\u10f7\u10f8\u10f9\u10fa"
            "\u10fd\u10fe\u10ff"
        ),
    ),
    (  # U+1EFA-U+1EFE, 3 letters
        "\u1efa\u1efc\u1efe",
        "\u1efb\u1efd\u1eff",
    ),
    (  # U+2132-U+2183, 2 letters
        "\u2132\u2183",
        "\u214e\u2184",
    ),
    (  # U+2C00-U+2CF2, 116 letters
        (
            "\u2c00\u2c01\u2c02\u2c03\u2c04\u2c05\u2c06\u2c07\u2c08\u2c09\u2c0a\u2c0b\u2c0c"
            "\u2c0d\u2c0e\u2c0f\u2c10\u2c11\u2c12\u2c13\u2c14\u2c15\u2c16\u2c17\u2c18\u2c19"
            "\u2c1a\u2c1b\u2c1c\u2c1d\u2c1e\u2c1f\u2c20\u2c21\u2c22\u2c23\u2c24\u2c25\u2c26"
            "\u2c27\u2c28\u2c29\u2c2a\u2c2b\u2c2c\u2c2d\u2c2e\u2c2f\u2c60\u2c62\u2c63\u2c64"
            "\u2c67\u2c69\u2c6b\u2c6d\u2c6e\u2c6f\u2c70\u2c72\u2c75\u2c7e\u2c7f\u2c80\u2c82"
            "\u2c84\u2c86\u2c88\u2c8a\u2c8c\u2c8e\u2c90\u2c92\u2c94\u2c96\u2c98\u2c9a\u2c9c"
            "\u2c9e\u2ca0\u2ca2\u2ca4\u2ca6\u2ca8\u2caa\u2cac\u2cae\u2cb0\u2cb2\u2cb4\u2cb6"
            "\u2cb8\u2cba\u2cbc\u2cbe\u2cc0\u2cc2\u2cc4\u2cc6\u2cc8\u2cca\u2ccc\u2cce\u2cd0"
            "\u2cd2\u2cd4\u2cd6\u2cd8\u2cda\u2cdc\u2cde\u2ce0\u2ce2\u2ceb\u2ced\u2cf2"
        ),
        (
            "\u2c30\u2c31\u2c32\u2c33\u2c34\u2c35\u2c36\u2c37\u2c38\u2c39\u2c3a\u2c3b\u2c3c"
            "\u2c3d\u2c3e\u2c3f\u2c40\u2c41\u2c42\u2c43\u2c44\u2c45\u2c46\u2c47\u2c48\u2c49"
            "\u2c4a\u2c4b\u2c4c\u2c4d\u2c4e\u2c4f\u2c50\u2c51\u2c52\u2c53\u2c54\u2c55\u2c56"
            "\u2c57\u2c58\u2c59\u2c5a\u2c5b\u2c5c\u2c5d\u2c5e\u2c5f\u2c61\u026b\u1d7d\u027d"
            "\u2c68\u2c6a\u2c6c\u0251\u0271\u0250\u0252\u2c73\u2c76\u023f\u0240\u2c81\u2c83"
            "\u2c85\u2c87\u2c89\u2c8b\u2c8d\u2c8f\u2c91\u2c93\u2c95\u2c97\u2c99\u2c9b\u2c9d"
            "\u2c9f\u2ca1\u2ca3\u2ca5\u2ca7\u2ca9\u2cab\u2cad\u2caf\u2cb1\u2cb3\u2cb5\u2cb7"
            "\u2cb9\u2cbb\u2cbd\u2cbf\u2cc1\u2cc3\u2cc5\u2cc7\u2cc9\u2ccb\u2ccd\u2ccf\u2cd1"
            "\u2cd3\u2cd5\u2cd7\u2cd9\u2cdb\u2cdd\u2cdf\u2ce1\u2ce3\u2cec\u2cee\u2cf3"
        ),
    ),
    (  # U+A640-U+A69A, 37 letters
        (
            "\ua640\ua642\ua644\ua646\ua648\ua64a\ua64c\ua64e\ua650\ua652\ua654\ua656\ua658"
            "\ua65a\ua65c\ua65e\ua660\ua662\ua664\ua666\ua668\ua66a\ua66c\ua680\ua682\ua684"
            "\ua686\ua688\ua68a\ua68c\ua68e\ua690\ua692\ua694\ua696\ua698\ua69a"
        ),
        (
            "\ua641\ua643\ua645\ua647\ua649\ua64b\ua64d\ua64f\ua651\ua653\ua655\ua657\ua659"
            "\ua65b\ua65d\ua65f\ua661\ua663\ua665\ua667\ua669\ua66b\ua66d\ua681\ua683\ua685"
            "\ua687\ua689\ua68b\ua68d\ua68f\ua691\ua693\ua695\ua697\ua699\ua69b"
        ),
    ),
    (  # U+A722-U+A7F5, 86 letters
        (
            "\ua722\ua724\ua726\ua728\ua72a\ua72c\ua72e\ua732\ua734\ua736\ua738\ua73a\ua73c"
            "\ua73e\ua740\ua742\ua744\ua746\ua748\ua74a\ua74c\ua74e\ua750\ua752\ua754\ua756"
            "\ua758\ua75a\ua75c\ua75e\ua760\ua762\ua764\ua766\ua768\ua76a\ua76c\ua76e\ua779"
            "\ua77b\ua77d\ua77e\ua780\ua782\ua784\ua786\ua78b\ua78d\ua790\ua792\ua796\ua798"
            "\ua79a\ua79c\ua79e\ua7a0\ua7a2\ua7a4\ua7a6\ua7a8\ua7aa\ua7ab\ua7ac\ua7ad\ua7ae"
            "\ua7b0\ua7b1\ua7b2\ua7b3\ua7b4\ua7b6\ua7b8\ua7ba\ua7bc\ua7be\ua7c0\ua7c2\ua7c4"
            "\ua7c5\ua7c6\ua7c7\ua7c9\ua7d0\ua7d6\ua7d8\ua7f5"
        ),
        (
            "\ua723\ua725\ua727\ua729\ua72b\ua72d\ua72f\ua733\ua735\ua737\ua739\ua73b\ua73d"
            "\ua73f\ua741\ua743\ua745\ua747\ua749\ua74b\ua74d\ua74f\ua751\ua753\ua755\ua757"
            "\ua759\ua75b\ua75d\ua75f\ua761\ua763\ua765\ua767\ua769\ua76b\ua76d\ua76f\ua77a"
            "\ua77c\u1d79\ua77f\ua781\ua783\ua785\ua787\ua78c\u0265\ua791\ua793\ua797\ua799"
            "\ua79b\ua79d\ua79f\ua7a1\ua7a3\ua7a5\ua7a7\ua7a9\u0266\u025c\u0261\u026c\u026a"
            "\u029e\u0287\u029d\uab53\ua7b5\ua7b7\ua7b9\ua7bb\ua7bd\ua7bf\ua7c1\ua7c3\ua794"
            "\u0282\u1d8e\ua7c8\ua7ca\ua7d1\ua7d7\ua7d9\ua7f6"
        ),
    ),
    (  # U+AB70-U+ABBF, 80 letters
        (
            "\uab70\uab71\uab72\uab73\uab74\uab75\uab76\uab77\uab78\uab79\uab7a\uab7b\uab7c"
            "\uab7d\uab7e\uab7f\uab80\uab81\uab82\uab83\uab84\uab85\uab86\uab87\uab88\uab89"
            "\uab8a\uab8b\uab8c\uab8d\uab8e\uab8f\uab90\uab91\uab92\uab93\uab94\uab95\uab96"
            "\uab97\uab98\uab99\uab9a\uab9b\uab9c\uab9d\uab9e\uab9f\uaba0\uaba1\uaba2\uaba3"
            "\uaba4\uaba5\uaba6\uaba7\uaba8\uaba9\uabaa\uabab\uabac\uabad\uabae\uabaf\uabb0"
            "\uabb1\uabb2\uabb3\uabb4\uabb5\uabb6\uabb7\uabb8\uabb9\uabba\uabbb\uabbc\uabbd"
            "\uabbe\uabbf"
        ),
        (
            "\u13a0\u13a1\u13a2\u13a3\u13a4\u13a5\u13a6\u13a7\u13a8\u13a9\u13aa\u13ab\u13ac"
            "\u13ad\u13ae\u13af\u13b0\u13b1\u13b2\u13b3\u13b4\u13b5\u13b6\u13b7\u13b8\u13b9"
            "\u13ba\u13bb\u13bc\u13bd\u13be\u13bf\u13c0\u13c1\u13c2\u13c3\u13c4\u13c5\u13c6"
            "\u13c7\u13c8\u13c9\u13ca\u13cb\u13cc\u13cd\u13ce\u13cf\u13d0\u13d1\u13d2\u13d3"
            "\u13d4\u13d5\u13d6\u13d7\u13d8\u13d9\u13da\u13db\u13dc\u13dd\u13de\u13df\u13e0"
            "\u13e1\u13e2\u13e3\u13e4\u13e5\u13e6\u13e7\u13e8\u13e9\u13ea\u13eb\u13ec\u13ed"
            "\u13ee\u13ef"
        ),
    ),
    *SUPPLEMENTARY_CASE_FOLDING,
)

_MARKS = re.compile(f"[{COMBINING_MARKS}]+")
_FOLDING: dict[int, str] = {
    ord(source): target
    for sources, targets in (ASCII_FOLDING, *CASE_FOLDING)
    for source, target in zip(sources, targets, strict=True)
} | {ord(source): target for source, target in EXPANDED_FOLDING}


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """`text` without accents and case (see the module docstring)."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).translate(_FOLDING)
