-- Households in the database (spec/wards.md: households never split, whoever writes).
--
-- Until now the database trusted the households callers sent: ward_restore_assignments
-- checked only when given p_households, ward_sync_roster moved only what p_assignments
-- named, and the bulk update's split check read household ids from the request. Direct
-- writes to ward_members and ward_member_groups (which RLS grants a ward's admins and
-- leaders) were not checked at all. Now:
--
--   * the database derives every roster member's household key itself, by the engine's
--     rule (engine/wards/households.py household_key, engine/wards/names.py and
--     folding.py): ward_members.household_key, a generated column;
--   * at commit, every ward a transaction changed is checked: no household (by
--     household_key) may have members whose stored groups differ. Members without a
--     stored group do not count: they follow their household, as the API says;
--   * ward_member_groups.household_id is the roster's key, set by trigger: whatever a
--     caller writes there is replaced, and it follows the roster when keys change;
--   * ward_restore_assignments(ward, audit_id, expected_version) and
--     ward_sync_roster(ward, members) take no households and no moves: the sync itself
--     moves a household it joins to where most of it is stored (on a tie, where its first
--     stored member is), in the sync's transaction;
--   * the audit and version triggers of 0012 and 0016 plan their pairing of old and new
--     rows for each statement (a plan kept from a small change made large ones quadratic).
--
-- Refusals keep 0014's codes: WB003 with DETAIL {"household_id": "<household key>"}.

create schema if not exists private;
grant usage on schema private to authenticated, service_role;

-- The folding names and addresses are compared by (engine/wards/folding.py, which holds
-- the same tables, character for character): NFKD, then the combining marks that are
-- accents removed, then full case folding. PostgreSQL's lower() follows the database's
-- locale and its regular expressions know no Unicode categories, so every step is an
-- explicit table. Case folding is translate() per block of 256 code points, each only when
-- the text has a character in its range: one translate() over all 982 letters costs about
-- 45 us a name, and ASCII and Hebrew names skip every block.
--
-- The normalisers are plpgsql rather than sql: a sql function with its own search_path is
-- never inlined, and one calling another is planned again on every call (about 400 us a
-- name); plpgsql keeps its plans and evaluates these expressions without an executor.
create function private.ward_fold(p_text text)
returns text
language plpgsql immutable strict parallel safe
set search_path = ''
as $$
declare
  folded text;
begin
  folded := translate(
    regexp_replace(
      normalize(p_text, nfkd),
      -- folding.py COMBINING_MARKS: the combining diacritical marks (Latin, Greek, Cyrillic
      -- accents), Cyrillic titlo, Hebrew cantillation and points (niqqud), Arabic harakat
      -- and Quranic marks, the extended, supplementary, symbol and half-mark diacritical
      -- blocks, the Hebrew varika
      '[\u0300-\u036f\u0483-\u0487\u0591-\u05bd\u05bf\u05c1-\u05c2\u05c4-\u05c5\u05c7'
        || '\u0610-\u061a\u064b-\u065f\u0670'
        || '\u06d6-\u06dc\u06df-\u06e4\u06e7-\u06e8\u06ea-\u06ed'
        || '\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufb1e\ufe20-\ufe2f]+',
      '', 'g'),
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
  -- folding.py CASE_FOLDING, a block at a time (the first test: any block's letters at all)
  if folded ~ (
    '[\u00c6-\u00de\u0110-\u01f7\u021c-\u024e\u0370-\u03ff\u0402-\u04fe\u0500-\u0556'
    || '\u10a0-\u10cd\u13f8-\u13fd\u1c80-\u1cbf\u1efa-\u1efe\u2132-\u2183\u2c00-\u2cf2'
    || '\ua640-\ua69a\ua722-\ua7f5\uab70-\uabbf'
    || '\U00010400-\U000104d3\U00010570-\U00010595\U00010c80-\U00010cb2'
    || '\U000118a0-\U000118bf\U00016e40-\U00016e5f\U0001e900-\U0001e921]'
  ) then
    if folded ~ '[\u00c6-\u00de]' then
      folded := translate(folded,
        e'\u00c6\u00d0\u00d8\u00de',
        e'\u00e6\u00f0\u00f8\u00fe');
    end if;
    if folded ~ '[\u0110-\u01f7]' then
      folded := translate(folded,
        e'\u0110\u0126\u0141\u014a\u0152\u0166\u0181\u0182\u0184\u0186\u0187\u0189\u018a'
        || e'\u018b\u018e\u018f\u0190\u0191\u0193\u0194\u0196\u0197\u0198\u019c\u019d\u019f'
        || e'\u01a2\u01a4\u01a6\u01a7\u01a9\u01ac\u01ae\u01b1\u01b2\u01b3\u01b5\u01b7\u01b8'
        || e'\u01bc\u01e4\u01f6\u01f7',
        e'\u0111\u0127\u0142\u014b\u0153\u0167\u0253\u0183\u0185\u0254\u0188\u0256\u0257'
        || e'\u018c\u01dd\u0259\u025b\u0192\u0260\u0263\u0269\u0268\u0199\u026f\u0272\u0275'
        || e'\u01a3\u01a5\u0280\u01a8\u0283\u01ad\u0288\u028a\u028b\u01b4\u01b6\u0292\u01b9'
        || e'\u01bd\u01e5\u0195\u01bf');
    end if;
    if folded ~ '[\u021c-\u024e]' then
      folded := translate(folded,
        e'\u021c\u0220\u0222\u0224\u023a\u023b\u023d\u023e\u0241\u0243\u0244\u0245\u0246'
        || e'\u0248\u024a\u024c\u024e',
        e'\u021d\u019e\u0223\u0225\u2c65\u023c\u019a\u2c66\u0242\u0180\u0289\u028c\u0247'
        || e'\u0249\u024b\u024d\u024f');
    end if;
    if folded ~ '[\u0370-\u03ff]' then
      folded := translate(folded,
        e'\u0370\u0372\u0376\u037f\u0391\u0392\u0393\u0394\u0395\u0396\u0397\u0398\u0399'
        || e'\u039a\u039b\u039c\u039d\u039e\u039f\u03a0\u03a1\u03a3\u03a4\u03a5\u03a6\u03a7'
        || e'\u03a8\u03a9\u03c2\u03cf\u03d8\u03da\u03dc\u03de\u03e0\u03e2\u03e4\u03e6\u03e8'
        || e'\u03ea\u03ec\u03ee\u03f7\u03fa\u03fd\u03fe\u03ff',
        e'\u0371\u0373\u0377\u03f3\u03b1\u03b2\u03b3\u03b4\u03b5\u03b6\u03b7\u03b8\u03b9'
        || e'\u03ba\u03bb\u03bc\u03bd\u03be\u03bf\u03c0\u03c1\u03c3\u03c4\u03c5\u03c6\u03c7'
        || e'\u03c8\u03c9\u03c3\u03d7\u03d9\u03db\u03dd\u03df\u03e1\u03e3\u03e5\u03e7\u03e9'
        || e'\u03eb\u03ed\u03ef\u03f8\u03fb\u037b\u037c\u037d');
    end if;
    if folded ~ '[\u0402-\u04fe]' then
      folded := translate(folded,
        e'\u0402\u0404\u0405\u0406\u0408\u0409\u040a\u040b\u040f\u0410\u0411\u0412\u0413'
        || e'\u0414\u0415\u0416\u0417\u0418\u041a\u041b\u041c\u041d\u041e\u041f\u0420\u0421'
        || e'\u0422\u0423\u0424\u0425\u0426\u0427\u0428\u0429\u042a\u042b\u042c\u042d\u042e'
        || e'\u042f\u0460\u0462\u0464\u0466\u0468\u046a\u046c\u046e\u0470\u0472\u0474\u0478'
        || e'\u047a\u047c\u047e\u0480\u048a\u048c\u048e\u0490\u0492\u0494\u0496\u0498\u049a'
        || e'\u049c\u049e\u04a0\u04a2\u04a4\u04a6\u04a8\u04aa\u04ac\u04ae\u04b0\u04b2\u04b4'
        || e'\u04b6\u04b8\u04ba\u04bc\u04be\u04c0\u04c3\u04c5\u04c7\u04c9\u04cb\u04cd\u04d4'
        || e'\u04d8\u04e0\u04e8\u04f6\u04fa\u04fc\u04fe',
        e'\u0452\u0454\u0455\u0456\u0458\u0459\u045a\u045b\u045f\u0430\u0431\u0432\u0433'
        || e'\u0434\u0435\u0436\u0437\u0438\u043a\u043b\u043c\u043d\u043e\u043f\u0440\u0441'
        || e'\u0442\u0443\u0444\u0445\u0446\u0447\u0448\u0449\u044a\u044b\u044c\u044d\u044e'
        || e'\u044f\u0461\u0463\u0465\u0467\u0469\u046b\u046d\u046f\u0471\u0473\u0475\u0479'
        || e'\u047b\u047d\u047f\u0481\u048b\u048d\u048f\u0491\u0493\u0495\u0497\u0499\u049b'
        || e'\u049d\u049f\u04a1\u04a3\u04a5\u04a7\u04a9\u04ab\u04ad\u04af\u04b1\u04b3\u04b5'
        || e'\u04b7\u04b9\u04bb\u04bd\u04bf\u04cf\u04c4\u04c6\u04c8\u04ca\u04cc\u04ce\u04d5'
        || e'\u04d9\u04e1\u04e9\u04f7\u04fb\u04fd\u04ff');
    end if;
    if folded ~ '[\u0500-\u0556]' then
      folded := translate(folded,
        e'\u0500\u0502\u0504\u0506\u0508\u050a\u050c\u050e\u0510\u0512\u0514\u0516\u0518'
        || e'\u051a\u051c\u051e\u0520\u0522\u0524\u0526\u0528\u052a\u052c\u052e\u0531\u0532'
        || e'\u0533\u0534\u0535\u0536\u0537\u0538\u0539\u053a\u053b\u053c\u053d\u053e\u053f'
        || e'\u0540\u0541\u0542\u0543\u0544\u0545\u0546\u0547\u0548\u0549\u054a\u054b\u054c'
        || e'\u054d\u054e\u054f\u0550\u0551\u0552\u0553\u0554\u0555\u0556',
        e'\u0501\u0503\u0505\u0507\u0509\u050b\u050d\u050f\u0511\u0513\u0515\u0517\u0519'
        || e'\u051b\u051d\u051f\u0521\u0523\u0525\u0527\u0529\u052b\u052d\u052f\u0561\u0562'
        || e'\u0563\u0564\u0565\u0566\u0567\u0568\u0569\u056a\u056b\u056c\u056d\u056e\u056f'
        || e'\u0570\u0571\u0572\u0573\u0574\u0575\u0576\u0577\u0578\u0579\u057a\u057b\u057c'
        || e'\u057d\u057e\u057f\u0580\u0581\u0582\u0583\u0584\u0585\u0586');
    end if;
    if folded ~ '[\u10a0-\u10cd]' then
      folded := translate(folded,
        e'\u10a0\u10a1\u10a2\u10a3\u10a4\u10a5\u10a6\u10a7\u10a8\u10a9\u10aa\u10ab\u10ac'
        || e'\u10ad\u10ae\u10af\u10b0\u10b1\u10b2\u10b3\u10b4\u10b5\u10b6\u10b7\u10b8\u10b9'
        || e'\u10ba\u10bb\u10bc\u10bd\u10be\u10bf\u10c0\u10c1\u10c2\u10c3\u10c4\u10c5\u10c7'
        || e'\u10cd',
        e'\u2d00\u2d01\u2d02\u2d03\u2d04\u2d05\u2d06\u2d07\u2d08\u2d09\u2d0a\u2d0b\u2d0c'
        || e'\u2d0d\u2d0e\u2d0f\u2d10\u2d11\u2d12\u2d13\u2d14\u2d15\u2d16\u2d17\u2d18\u2d19'
        || e'\u2d1a\u2d1b\u2d1c\u2d1d\u2d1e\u2d1f\u2d20\u2d21\u2d22\u2d23\u2d24\u2d25\u2d27'
        || e'\u2d2d');
    end if;
    if folded ~ '[\u13f8-\u13fd]' then
      folded := translate(folded,
        e'\u13f8\u13f9\u13fa\u13fb\u13fc\u13fd',
        e'\u13f0\u13f1\u13f2\u13f3\u13f4\u13f5');
    end if;
    if folded ~ '[\u1c80-\u1cbf]' then
      folded := translate(folded,
        e'\u1c80\u1c81\u1c82\u1c83\u1c84\u1c85\u1c86\u1c87\u1c88\u1c90\u1c91\u1c92\u1c93'
        || e'\u1c94\u1c95\u1c96\u1c97\u1c98\u1c99\u1c9a\u1c9b\u1c9c\u1c9d\u1c9e\u1c9f\u1ca0'
        || e'\u1ca1\u1ca2\u1ca3\u1ca4\u1ca5\u1ca6\u1ca7\u1ca8\u1ca9\u1caa\u1cab\u1cac\u1cad'
        || e'\u1cae\u1caf\u1cb0\u1cb1\u1cb2\u1cb3\u1cb4\u1cb5\u1cb6\u1cb7\u1cb8\u1cb9\u1cba'
        || e'\u1cbd\u1cbe\u1cbf',
        e'\u0432\u0434\u043e\u0441\u0442\u0442\u044a\u0463\ua64b\u10d0\u10d1\u10d2\u10d3'
        || e'\u10d4\u10d5\u10d6\u10d7\u10d8\u10d9\u10da\u10db\u10dc\u10dd\u10de\u10df\u10e0'
        || e'\u10e1\u10e2\u10e3\u10e4\u10e5\u10e6\u10e7\u10e8\u10e9\u10ea\u10eb\u10ec\u10ed'
        || e'\u10ee\u10ef\u10f0\u10f1\u10f2\u10f3\u10f4\u10f5\u10f6\u10f7\u10f8\u10f9\u10fa'
        || e'\u10fd\u10fe\u10ff');
    end if;
    if folded ~ '[\u1efa-\u1efe]' then
      folded := translate(folded,
        e'\u1efa\u1efc\u1efe',
        e'\u1efb\u1efd\u1eff');
    end if;
    if folded ~ '[\u2132-\u2183]' then
      folded := translate(folded,
        e'\u2132\u2183',
        e'\u214e\u2184');
    end if;
    if folded ~ '[\u2c00-\u2cf2]' then
      folded := translate(folded,
        e'\u2c00\u2c01\u2c02\u2c03\u2c04\u2c05\u2c06\u2c07\u2c08\u2c09\u2c0a\u2c0b\u2c0c'
        || e'\u2c0d\u2c0e\u2c0f\u2c10\u2c11\u2c12\u2c13\u2c14\u2c15\u2c16\u2c17\u2c18\u2c19'
        || e'\u2c1a\u2c1b\u2c1c\u2c1d\u2c1e\u2c1f\u2c20\u2c21\u2c22\u2c23\u2c24\u2c25\u2c26'
        || e'\u2c27\u2c28\u2c29\u2c2a\u2c2b\u2c2c\u2c2d\u2c2e\u2c2f\u2c60\u2c62\u2c63\u2c64'
        || e'\u2c67\u2c69\u2c6b\u2c6d\u2c6e\u2c6f\u2c70\u2c72\u2c75\u2c7e\u2c7f\u2c80\u2c82'
        || e'\u2c84\u2c86\u2c88\u2c8a\u2c8c\u2c8e\u2c90\u2c92\u2c94\u2c96\u2c98\u2c9a\u2c9c'
        || e'\u2c9e\u2ca0\u2ca2\u2ca4\u2ca6\u2ca8\u2caa\u2cac\u2cae\u2cb0\u2cb2\u2cb4\u2cb6'
        || e'\u2cb8\u2cba\u2cbc\u2cbe\u2cc0\u2cc2\u2cc4\u2cc6\u2cc8\u2cca\u2ccc\u2cce\u2cd0'
        || e'\u2cd2\u2cd4\u2cd6\u2cd8\u2cda\u2cdc\u2cde\u2ce0\u2ce2\u2ceb\u2ced\u2cf2',
        e'\u2c30\u2c31\u2c32\u2c33\u2c34\u2c35\u2c36\u2c37\u2c38\u2c39\u2c3a\u2c3b\u2c3c'
        || e'\u2c3d\u2c3e\u2c3f\u2c40\u2c41\u2c42\u2c43\u2c44\u2c45\u2c46\u2c47\u2c48\u2c49'
        || e'\u2c4a\u2c4b\u2c4c\u2c4d\u2c4e\u2c4f\u2c50\u2c51\u2c52\u2c53\u2c54\u2c55\u2c56'
        || e'\u2c57\u2c58\u2c59\u2c5a\u2c5b\u2c5c\u2c5d\u2c5e\u2c5f\u2c61\u026b\u1d7d\u027d'
        || e'\u2c68\u2c6a\u2c6c\u0251\u0271\u0250\u0252\u2c73\u2c76\u023f\u0240\u2c81\u2c83'
        || e'\u2c85\u2c87\u2c89\u2c8b\u2c8d\u2c8f\u2c91\u2c93\u2c95\u2c97\u2c99\u2c9b\u2c9d'
        || e'\u2c9f\u2ca1\u2ca3\u2ca5\u2ca7\u2ca9\u2cab\u2cad\u2caf\u2cb1\u2cb3\u2cb5\u2cb7'
        || e'\u2cb9\u2cbb\u2cbd\u2cbf\u2cc1\u2cc3\u2cc5\u2cc7\u2cc9\u2ccb\u2ccd\u2ccf\u2cd1'
        || e'\u2cd3\u2cd5\u2cd7\u2cd9\u2cdb\u2cdd\u2cdf\u2ce1\u2ce3\u2cec\u2cee\u2cf3');
    end if;
    if folded ~ '[\ua640-\ua69a]' then
      folded := translate(folded,
        e'\ua640\ua642\ua644\ua646\ua648\ua64a\ua64c\ua64e\ua650\ua652\ua654\ua656\ua658'
        || e'\ua65a\ua65c\ua65e\ua660\ua662\ua664\ua666\ua668\ua66a\ua66c\ua680\ua682\ua684'
        || e'\ua686\ua688\ua68a\ua68c\ua68e\ua690\ua692\ua694\ua696\ua698\ua69a',
        e'\ua641\ua643\ua645\ua647\ua649\ua64b\ua64d\ua64f\ua651\ua653\ua655\ua657\ua659'
        || e'\ua65b\ua65d\ua65f\ua661\ua663\ua665\ua667\ua669\ua66b\ua66d\ua681\ua683\ua685'
        || e'\ua687\ua689\ua68b\ua68d\ua68f\ua691\ua693\ua695\ua697\ua699\ua69b');
    end if;
    if folded ~ '[\ua722-\ua7f5]' then
      folded := translate(folded,
        e'\ua722\ua724\ua726\ua728\ua72a\ua72c\ua72e\ua732\ua734\ua736\ua738\ua73a\ua73c'
        || e'\ua73e\ua740\ua742\ua744\ua746\ua748\ua74a\ua74c\ua74e\ua750\ua752\ua754\ua756'
        || e'\ua758\ua75a\ua75c\ua75e\ua760\ua762\ua764\ua766\ua768\ua76a\ua76c\ua76e\ua779'
        || e'\ua77b\ua77d\ua77e\ua780\ua782\ua784\ua786\ua78b\ua78d\ua790\ua792\ua796\ua798'
        || e'\ua79a\ua79c\ua79e\ua7a0\ua7a2\ua7a4\ua7a6\ua7a8\ua7aa\ua7ab\ua7ac\ua7ad\ua7ae'
        || e'\ua7b0\ua7b1\ua7b2\ua7b3\ua7b4\ua7b6\ua7b8\ua7ba\ua7bc\ua7be\ua7c0\ua7c2\ua7c4'
        || e'\ua7c5\ua7c6\ua7c7\ua7c9\ua7d0\ua7d6\ua7d8\ua7f5',
        e'\ua723\ua725\ua727\ua729\ua72b\ua72d\ua72f\ua733\ua735\ua737\ua739\ua73b\ua73d'
        || e'\ua73f\ua741\ua743\ua745\ua747\ua749\ua74b\ua74d\ua74f\ua751\ua753\ua755\ua757'
        || e'\ua759\ua75b\ua75d\ua75f\ua761\ua763\ua765\ua767\ua769\ua76b\ua76d\ua76f\ua77a'
        || e'\ua77c\u1d79\ua77f\ua781\ua783\ua785\ua787\ua78c\u0265\ua791\ua793\ua797\ua799'
        || e'\ua79b\ua79d\ua79f\ua7a1\ua7a3\ua7a5\ua7a7\ua7a9\u0266\u025c\u0261\u026c\u026a'
        || e'\u029e\u0287\u029d\uab53\ua7b5\ua7b7\ua7b9\ua7bb\ua7bd\ua7bf\ua7c1\ua7c3\ua794'
        || e'\u0282\u1d8e\ua7c8\ua7ca\ua7d1\ua7d7\ua7d9\ua7f6');
    end if;
    if folded ~ '[\uab70-\uabbf]' then
      folded := translate(folded,
        e'\uab70\uab71\uab72\uab73\uab74\uab75\uab76\uab77\uab78\uab79\uab7a\uab7b\uab7c'
        || e'\uab7d\uab7e\uab7f\uab80\uab81\uab82\uab83\uab84\uab85\uab86\uab87\uab88\uab89'
        || e'\uab8a\uab8b\uab8c\uab8d\uab8e\uab8f\uab90\uab91\uab92\uab93\uab94\uab95\uab96'
        || e'\uab97\uab98\uab99\uab9a\uab9b\uab9c\uab9d\uab9e\uab9f\uaba0\uaba1\uaba2\uaba3'
        || e'\uaba4\uaba5\uaba6\uaba7\uaba8\uaba9\uabaa\uabab\uabac\uabad\uabae\uabaf\uabb0'
        || e'\uabb1\uabb2\uabb3\uabb4\uabb5\uabb6\uabb7\uabb8\uabb9\uabba\uabbb\uabbc\uabbd'
        || e'\uabbe\uabbf',
        e'\u13a0\u13a1\u13a2\u13a3\u13a4\u13a5\u13a6\u13a7\u13a8\u13a9\u13aa\u13ab\u13ac'
        || e'\u13ad\u13ae\u13af\u13b0\u13b1\u13b2\u13b3\u13b4\u13b5\u13b6\u13b7\u13b8\u13b9'
        || e'\u13ba\u13bb\u13bc\u13bd\u13be\u13bf\u13c0\u13c1\u13c2\u13c3\u13c4\u13c5\u13c6'
        || e'\u13c7\u13c8\u13c9\u13ca\u13cb\u13cc\u13cd\u13ce\u13cf\u13d0\u13d1\u13d2\u13d3'
        || e'\u13d4\u13d5\u13d6\u13d7\u13d8\u13d9\u13da\u13db\u13dc\u13dd\u13de\u13df\u13e0'
        || e'\u13e1\u13e2\u13e3\u13e4\u13e5\u13e6\u13e7\u13e8\u13e9\u13ea\u13eb\u13ec\u13ed'
        || e'\u13ee\u13ef');
    end if;
    if folded ~ '[\U00010400-\U000104d3]' then
      folded := translate(folded,
        e'\U00010400\U00010401\U00010402\U00010403\U00010404\U00010405\U00010406'
        || e'\U00010407\U00010408\U00010409\U0001040a\U0001040b\U0001040c\U0001040d'
        || e'\U0001040e\U0001040f\U00010410\U00010411\U00010412\U00010413\U00010414'
        || e'\U00010415\U00010416\U00010417\U00010418\U00010419\U0001041a\U0001041b'
        || e'\U0001041c\U0001041d\U0001041e\U0001041f\U00010420\U00010421\U00010422'
        || e'\U00010423\U00010424\U00010425\U00010426\U00010427\U000104b0\U000104b1'
        || e'\U000104b2\U000104b3\U000104b4\U000104b5\U000104b6\U000104b7\U000104b8'
        || e'\U000104b9\U000104ba\U000104bb\U000104bc\U000104bd\U000104be\U000104bf'
        || e'\U000104c0\U000104c1\U000104c2\U000104c3\U000104c4\U000104c5\U000104c6'
        || e'\U000104c7\U000104c8\U000104c9\U000104ca\U000104cb\U000104cc\U000104cd'
        || e'\U000104ce\U000104cf\U000104d0\U000104d1\U000104d2\U000104d3',
        e'\U00010428\U00010429\U0001042a\U0001042b\U0001042c\U0001042d\U0001042e'
        || e'\U0001042f\U00010430\U00010431\U00010432\U00010433\U00010434\U00010435'
        || e'\U00010436\U00010437\U00010438\U00010439\U0001043a\U0001043b\U0001043c'
        || e'\U0001043d\U0001043e\U0001043f\U00010440\U00010441\U00010442\U00010443'
        || e'\U00010444\U00010445\U00010446\U00010447\U00010448\U00010449\U0001044a'
        || e'\U0001044b\U0001044c\U0001044d\U0001044e\U0001044f\U000104d8\U000104d9'
        || e'\U000104da\U000104db\U000104dc\U000104dd\U000104de\U000104df\U000104e0'
        || e'\U000104e1\U000104e2\U000104e3\U000104e4\U000104e5\U000104e6\U000104e7'
        || e'\U000104e8\U000104e9\U000104ea\U000104eb\U000104ec\U000104ed\U000104ee'
        || e'\U000104ef\U000104f0\U000104f1\U000104f2\U000104f3\U000104f4\U000104f5'
        || e'\U000104f6\U000104f7\U000104f8\U000104f9\U000104fa\U000104fb');
    end if;
    if folded ~ '[\U00010570-\U00010595]' then
      folded := translate(folded,
        e'\U00010570\U00010571\U00010572\U00010573\U00010574\U00010575\U00010576'
        || e'\U00010577\U00010578\U00010579\U0001057a\U0001057c\U0001057d\U0001057e'
        || e'\U0001057f\U00010580\U00010581\U00010582\U00010583\U00010584\U00010585'
        || e'\U00010586\U00010587\U00010588\U00010589\U0001058a\U0001058c\U0001058d'
        || e'\U0001058e\U0001058f\U00010590\U00010591\U00010592\U00010594\U00010595',
        e'\U00010597\U00010598\U00010599\U0001059a\U0001059b\U0001059c\U0001059d'
        || e'\U0001059e\U0001059f\U000105a0\U000105a1\U000105a3\U000105a4\U000105a5'
        || e'\U000105a6\U000105a7\U000105a8\U000105a9\U000105aa\U000105ab\U000105ac'
        || e'\U000105ad\U000105ae\U000105af\U000105b0\U000105b1\U000105b3\U000105b4'
        || e'\U000105b5\U000105b6\U000105b7\U000105b8\U000105b9\U000105bb\U000105bc');
    end if;
    if folded ~ '[\U00010c80-\U00010cb2]' then
      folded := translate(folded,
        e'\U00010c80\U00010c81\U00010c82\U00010c83\U00010c84\U00010c85\U00010c86'
        || e'\U00010c87\U00010c88\U00010c89\U00010c8a\U00010c8b\U00010c8c\U00010c8d'
        || e'\U00010c8e\U00010c8f\U00010c90\U00010c91\U00010c92\U00010c93\U00010c94'
        || e'\U00010c95\U00010c96\U00010c97\U00010c98\U00010c99\U00010c9a\U00010c9b'
        || e'\U00010c9c\U00010c9d\U00010c9e\U00010c9f\U00010ca0\U00010ca1\U00010ca2'
        || e'\U00010ca3\U00010ca4\U00010ca5\U00010ca6\U00010ca7\U00010ca8\U00010ca9'
        || e'\U00010caa\U00010cab\U00010cac\U00010cad\U00010cae\U00010caf\U00010cb0'
        || e'\U00010cb1\U00010cb2',
        e'\U00010cc0\U00010cc1\U00010cc2\U00010cc3\U00010cc4\U00010cc5\U00010cc6'
        || e'\U00010cc7\U00010cc8\U00010cc9\U00010cca\U00010ccb\U00010ccc\U00010ccd'
        || e'\U00010cce\U00010ccf\U00010cd0\U00010cd1\U00010cd2\U00010cd3\U00010cd4'
        || e'\U00010cd5\U00010cd6\U00010cd7\U00010cd8\U00010cd9\U00010cda\U00010cdb'
        || e'\U00010cdc\U00010cdd\U00010cde\U00010cdf\U00010ce0\U00010ce1\U00010ce2'
        || e'\U00010ce3\U00010ce4\U00010ce5\U00010ce6\U00010ce7\U00010ce8\U00010ce9'
        || e'\U00010cea\U00010ceb\U00010cec\U00010ced\U00010cee\U00010cef\U00010cf0'
        || e'\U00010cf1\U00010cf2');
    end if;
    if folded ~ '[\U000118a0-\U000118bf]' then
      folded := translate(folded,
        e'\U000118a0\U000118a1\U000118a2\U000118a3\U000118a4\U000118a5\U000118a6'
        || e'\U000118a7\U000118a8\U000118a9\U000118aa\U000118ab\U000118ac\U000118ad'
        || e'\U000118ae\U000118af\U000118b0\U000118b1\U000118b2\U000118b3\U000118b4'
        || e'\U000118b5\U000118b6\U000118b7\U000118b8\U000118b9\U000118ba\U000118bb'
        || e'\U000118bc\U000118bd\U000118be\U000118bf',
        e'\U000118c0\U000118c1\U000118c2\U000118c3\U000118c4\U000118c5\U000118c6'
        || e'\U000118c7\U000118c8\U000118c9\U000118ca\U000118cb\U000118cc\U000118cd'
        || e'\U000118ce\U000118cf\U000118d0\U000118d1\U000118d2\U000118d3\U000118d4'
        || e'\U000118d5\U000118d6\U000118d7\U000118d8\U000118d9\U000118da\U000118db'
        || e'\U000118dc\U000118dd\U000118de\U000118df');
    end if;
    if folded ~ '[\U00016e40-\U00016e5f]' then
      folded := translate(folded,
        e'\U00016e40\U00016e41\U00016e42\U00016e43\U00016e44\U00016e45\U00016e46'
        || e'\U00016e47\U00016e48\U00016e49\U00016e4a\U00016e4b\U00016e4c\U00016e4d'
        || e'\U00016e4e\U00016e4f\U00016e50\U00016e51\U00016e52\U00016e53\U00016e54'
        || e'\U00016e55\U00016e56\U00016e57\U00016e58\U00016e59\U00016e5a\U00016e5b'
        || e'\U00016e5c\U00016e5d\U00016e5e\U00016e5f',
        e'\U00016e60\U00016e61\U00016e62\U00016e63\U00016e64\U00016e65\U00016e66'
        || e'\U00016e67\U00016e68\U00016e69\U00016e6a\U00016e6b\U00016e6c\U00016e6d'
        || e'\U00016e6e\U00016e6f\U00016e70\U00016e71\U00016e72\U00016e73\U00016e74'
        || e'\U00016e75\U00016e76\U00016e77\U00016e78\U00016e79\U00016e7a\U00016e7b'
        || e'\U00016e7c\U00016e7d\U00016e7e\U00016e7f');
    end if;
    if folded ~ '[\U0001e900-\U0001e921]' then
      folded := translate(folded,
        e'\U0001e900\U0001e901\U0001e902\U0001e903\U0001e904\U0001e905\U0001e906'
        || e'\U0001e907\U0001e908\U0001e909\U0001e90a\U0001e90b\U0001e90c\U0001e90d'
        || e'\U0001e90e\U0001e90f\U0001e910\U0001e911\U0001e912\U0001e913\U0001e914'
        || e'\U0001e915\U0001e916\U0001e917\U0001e918\U0001e919\U0001e91a\U0001e91b'
        || e'\U0001e91c\U0001e91d\U0001e91e\U0001e91f\U0001e920\U0001e921',
        e'\U0001e922\U0001e923\U0001e924\U0001e925\U0001e926\U0001e927\U0001e928'
        || e'\U0001e929\U0001e92a\U0001e92b\U0001e92c\U0001e92d\U0001e92e\U0001e92f'
        || e'\U0001e930\U0001e931\U0001e932\U0001e933\U0001e934\U0001e935\U0001e936'
        || e'\U0001e937\U0001e938\U0001e939\U0001e93a\U0001e93b\U0001e93c\U0001e93d'
        || e'\U0001e93e\U0001e93f\U0001e940\U0001e941\U0001e942\U0001e943');
    end if;
  end if;
  -- folding.py EXPANDED_FOLDING
  return replace(replace(folded, e'\u00df', 'ss'), e'\u1e9e', 'ss');
end
$$;

-- A first or last name: folded, each run of whitespace and hyphens one space, trimmed.
create function private.ward_normalise_name(p_text text)
returns text
language plpgsql immutable strict parallel safe
set search_path = ''
as $$
begin
  return btrim(
    regexp_replace(
      private.ward_fold(p_text),
      -- names.py NAME_SEPARATORS: whitespace (what Python's str.isspace accepts), hyphens
      -- (ASCII, Unicode hyphens and dashes, the minus sign, the Hebrew maqaf)
      '[\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000'
        || '\u002d\u2010-\u2015\u2212\u05be]+',
      ' ', 'g'),
    ' ');
end
$$;

-- An address: like a name, and commas, full stops and semicolons are separators too.
create function private.ward_normalise_address(p_text text)
returns text
language plpgsql immutable strict parallel safe
set search_path = ''
as $$
begin
  return btrim(
    regexp_replace(
      private.ward_fold(p_text),
      -- names.py ADDRESS_SEPARATORS: NAME_SEPARATORS, commas, full stops, semicolons
      '[\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000'
        || '\u002d\u2010-\u2015\u2212\u05be\u002c\u002e\u003b]+',
      ' ', 'g'),
    ' ');
end
$$;

-- A phone: its ASCII digits after NFKD (full-width digits count).
create function private.ward_normalise_phone(p_text text)
returns text
language plpgsql immutable strict parallel safe
set search_path = ''
as $$
begin
  return regexp_replace(normalize(p_text, nfkd), '[^0-9]+', '', 'g');
end
$$;

-- A member's household key: their explicit household id stripped of whitespace, else
-- "auto:<last name>|address:<address>", else "auto:<last name>|phone:<digits>", else
-- "auto:<last name>" (engine/wards/households.py household_key).
create function private.ward_household_key(
  p_household_id text, p_last_name text, p_address text, p_phone text
)
returns text
language plpgsql immutable parallel safe
set search_path = ''
as $$
declare
  -- names.py WHITESPACE: the characters of str.isspace, one by one
  explicit text := btrim(
    p_household_id,
    e'\u0009\u000a\u000b\u000c\u000d\u001c\u001d\u001e\u001f\u0020\u0085\u00a0\u1680'
    || e'\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a'
    || e'\u2028\u2029\u202f\u205f\u3000');
  last_name text := 'auto:' || coalesce(private.ward_normalise_name(p_last_name), '');
  address text := private.ward_normalise_address(p_address);
  phone text;
begin
  if explicit <> '' then
    return explicit;
  elsif address <> '' then
    return last_name || '|address:' || address;
  end if;
  phone := private.ward_normalise_phone(p_phone);
  if phone <> '' then
    return last_name || '|phone:' || phone;
  end if;
  return last_name;
end
$$;

-- The sort key of a name (engine/wards/names.py name_sort_key), first element: the
-- normalised name with Hebrew final letters as their ordinary forms; compared "C", by
-- code point, with the normalised name itself as the tie break.
create function private.ward_name_order(p_text text)
returns text
language plpgsql immutable strict parallel safe
set search_path = ''
as $$
begin
  return translate(private.ward_normalise_name(p_text), 'ךםןףץ', 'כמנפצ');
end
$$;

revoke execute on function private.ward_fold(text), private.ward_normalise_name(text),
  private.ward_normalise_address(text), private.ward_normalise_phone(text),
  private.ward_household_key(text, text, text, text), private.ward_name_order(text)
  from public;
-- Whoever writes the roster computes its generated column, so runs these.
grant execute on function private.ward_fold(text), private.ward_normalise_name(text),
  private.ward_normalise_address(text), private.ward_normalise_phone(text),
  private.ward_household_key(text, text, text, text), private.ward_name_order(text)
  to authenticated, service_role;

alter table public.ward_members
  add column household_key text not null
  generated always as (private.ward_household_key(household_id, last_name, address, phone))
  stored;

-- ward_member_groups.household_id is the roster's household key, never the caller's: set
-- on every insert and every update that writes it (or the member it belongs to), and
-- refreshed when the roster gives a member another key.
-- Security definer so that it reads the roster row whatever the writer may see.
create function private.ward_member_groups_household()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  new.household_id := (
    select m.household_key from public.ward_members m
    where m.ward_branch_id = new.ward_branch_id and m.user_hash = new.user_hash
  );
  return new;
end
$$;

create trigger ward_member_groups_household
  before insert or update of ward_branch_id, user_hash, household_id
  on public.ward_member_groups
  for each row execute function private.ward_member_groups_household();

create function private.ward_members_refresh_household_ids()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  update public.ward_member_groups g
  set household_id = n.household_key
  from new_rows n
  where g.ward_branch_id = n.ward_branch_id
    and g.user_hash = n.user_hash
    and g.household_id is distinct from n.household_key;
  return null;
end
$$;

create trigger ward_members_household_ids after update on public.ward_members
  referencing new table as new_rows
  for each statement execute function private.ward_members_refresh_household_ids();

-- Assignments stored before this migration carry whatever their writer sent: they get the
-- roster's key now, audited and versioned like any change (before the commit-time check
-- exists: a household split before today is mended by the ward's next roster sync, and
-- until then refuses writes that leave it split).
update public.ward_member_groups g
set household_id = m.household_key
from public.ward_members m
where g.ward_branch_id = m.ward_branch_id
  and g.user_hash = m.user_hash
  and g.household_id is distinct from m.household_key;

-- The audit and version triggers (0012, 0016) pair a statement's old and new rows by id.
-- plpgsql keeps the plan of a query's first call, made for that call's row count, and a
-- query over transition tables has no parameter to plan it again for: after a one-row (or,
-- as the refresh above often is, a no-row) change, a nested loop over the two tables stays,
-- and a later 10,000-row change takes 5 s instead of 0.3 s. The same functions, with that
-- one query run by execute, which plans it for the rows at hand every time.
create or replace function public.ward_member_groups_record_change()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  changes public.ward_assignment_change[];
  this_batch uuid := coalesce(nullif(current_setting('ward.batch_id', true), '')::uuid,
                              gen_random_uuid());
  restored_entry bigint := nullif(current_setting('ward.restored_from', true), '')::bigint;
begin
  if tg_op = 'INSERT' then
    select array_agg((n.ward_branch_id, n.user_hash, 'insert', null, n.assigned_group,
                      null, n.household_id)::public.ward_assignment_change)
      into changes
    from new_rows n;
  elsif tg_op = 'UPDATE' then
    execute $query$
      select array_agg((n.ward_branch_id, n.user_hash, 'update', o.assigned_group,
                        n.assigned_group, o.household_id,
                        n.household_id)::public.ward_assignment_change)
      from old_rows o join new_rows n on n.id = o.id
      where (o.assigned_group, o.household_id) is distinct from (n.assigned_group, n.household_id)
    $query$ into changes;
  else
    select array_agg((o.ward_branch_id, o.user_hash, 'delete', o.assigned_group, null,
                      o.household_id, null)::public.ward_assignment_change)
      into changes
    from old_rows o;
  end if;

  update public.ward_assignment_versions v
  set version = v.version + 1, changed_at = now()
  where v.ward_branch_id in (select c.ward_branch_id from unnest(changes) c);

  insert into public.audit_log (ward_branch_id, user_hash, action, old_group, new_group,
                                old_household_id, new_household_id, actor_id, batch_id,
                                restored_from)
  select c.ward_branch_id, c.user_hash, c.action, c.old_group, c.new_group,
         c.old_household_id, c.new_household_id, (select auth.uid()), this_batch,
         restored_entry
  from unnest(changes) c
  where exists (select from public.ward_branches w where w.id = c.ward_branch_id)
  order by c.ward_branch_id, c.user_hash;
  return null;
end
$$;

create or replace function public.ward_members_record_change()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  changed_wards uuid[];
begin
  if tg_op = 'INSERT' then
    select array_agg(distinct n.ward_branch_id) into changed_wards from new_rows n;
  elsif tg_op = 'UPDATE' then
    execute $query$
      select array_agg(distinct w.ward_branch_id)
      from old_rows o
      join new_rows n on n.id = o.id
      cross join lateral (values (o.ward_branch_id), (n.ward_branch_id)) w(ward_branch_id)
      where (o.ward_branch_id, o.user_hash, o.first_name, o.last_name, o.address, o.phone,
             o.household_id)
        is distinct from (n.ward_branch_id, n.user_hash, n.first_name, n.last_name, n.address,
                          n.phone, n.household_id)
    $query$ into changed_wards;
  else
    select array_agg(distinct o.ward_branch_id) into changed_wards from old_rows o;
  end if;

  update public.ward_assignment_versions v
  set roster_version = v.roster_version + 1
  where v.ward_branch_id = any(changed_wards);
  return null;
end
$$;

-- Refuses (WB003) when one of the ward's households has stored members in different
-- groups; the household named is the first by key.
create function private.ward_refuse_split_households(p_ward_branch_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  split_household text;
begin
  select m.household_key into split_household
  from public.ward_members m
  join public.ward_member_groups g
    on g.ward_branch_id = m.ward_branch_id and g.user_hash = m.user_hash
  where m.ward_branch_id = p_ward_branch_id
  group by m.household_key
  having min(g.assigned_group) <> max(g.assigned_group)
  order by m.household_key collate "C"
  limit 1;
  if found then
    raise exception 'household % is split across groups', split_household
      using errcode = 'WB003', detail = jsonb_build_object('household_id', split_household)::text;
  end if;
end
$$;

-- The wards this transaction has changed since their households were last checked live in
-- the transaction-local setting ward.households_pending, as "<transaction id>:<ward>,...";
-- a value of another transaction (a session-level setting, say) counts as empty. It goes
-- back with a rolled-back savepoint, like the changes and the queued checks themselves.
--
-- Adds p_wards to the pending ones; true when none was pending before, which is when the
-- commit-time check has to be queued (one queued check covers every pending ward). Called
-- from the triggers' WHEN, so for every changed row: it writes the setting only when it
-- adds a ward.
create function private.ward_households_touched(p_wards uuid[])
returns boolean
language plpgsql volatile
set search_path = ''
as $$
declare
  mark text := pg_current_xact_id()::text || ':';
  pending text := coalesce(current_setting('ward.households_pending', true), '');
  first_pending boolean;
  ward uuid;
begin
  if not starts_with(pending, mark) then
    pending := mark;
  end if;
  first_pending := pending = mark;
  foreach ward in array p_wards loop
    if ward is not null and strpos(pending, ward::text) = 0 then
      pending := pending || ward::text || ',';
      perform set_config('ward.households_pending', pending, true);
    end if;
  end loop;
  return first_pending and pending <> mark;
end
$$;

-- Checks one ward now (WB003) and takes it off the pending ones: the ward RPCs call it
-- last, so that a refusal names the household inside the call.
create function private.ward_check_households(p_ward_branch_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
declare
  pending text := coalesce(current_setting('ward.households_pending', true), '');
begin
  perform private.ward_refuse_split_households(p_ward_branch_id);
  if starts_with(pending, pg_current_xact_id_if_assigned()::text || ':') then
    perform set_config(
      'ward.households_pending', replace(pending, p_ward_branch_id::text || ',', ''), true
    );
  end if;
end
$$;

-- The commit-time check: every pending ward, then none is pending. Security definer so
-- that it sees every row of the ward whoever wrote.
create function private.ward_check_pending_households()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  mark text := pg_current_xact_id()::text || ':';
  pending text := coalesce(current_setting('ward.households_pending', true), '');
  ward text;
begin
  if starts_with(pending, mark) then
    perform set_config('ward.households_pending', mark, true);
    foreach ward in array string_to_array(rtrim(substr(pending, length(mark) + 1), ','), ',')
    loop
      perform private.ward_refuse_split_households(ward::uuid);
    end loop;
  end if;
  return null;
end
$$;

-- At commit (deferrable initially deferred): a transaction may pass through a split, as a
-- sync does between the roster and its moves, but may not commit one. Every insert, update
-- and delete of either table, by any writer, marks its ward; the first mark queues the check.
create constraint trigger ward_members_households_insert after insert on public.ward_members
  deferrable initially deferred for each row
  when (private.ward_households_touched(array[new.ward_branch_id]))
  execute function private.ward_check_pending_households();
create constraint trigger ward_members_households_update after update on public.ward_members
  deferrable initially deferred for each row
  when (private.ward_households_touched(array[old.ward_branch_id, new.ward_branch_id]))
  execute function private.ward_check_pending_households();
create constraint trigger ward_members_households_delete after delete on public.ward_members
  deferrable initially deferred for each row
  when (private.ward_households_touched(array[old.ward_branch_id]))
  execute function private.ward_check_pending_households();
create constraint trigger ward_member_groups_households_insert
  after insert on public.ward_member_groups
  deferrable initially deferred for each row
  when (private.ward_households_touched(array[new.ward_branch_id]))
  execute function private.ward_check_pending_households();
create constraint trigger ward_member_groups_households_update
  after update on public.ward_member_groups
  deferrable initially deferred for each row
  when (private.ward_households_touched(array[old.ward_branch_id, new.ward_branch_id]))
  execute function private.ward_check_pending_households();
create constraint trigger ward_member_groups_households_delete
  after delete on public.ward_member_groups
  deferrable initially deferred for each row
  when (private.ward_households_touched(array[old.ward_branch_id]))
  execute function private.ward_check_pending_households();

revoke execute on function private.ward_member_groups_household(),
  private.ward_members_refresh_household_ids(),
  private.ward_refuse_split_households(uuid),
  private.ward_check_households(uuid),
  private.ward_check_pending_households()
  from public, anon, authenticated, service_role;
-- The triggers' WHEN runs as the writer.
revoke execute on function private.ward_households_touched(uuid[]) from public;
grant execute on function private.ward_households_touched(uuid[]) to authenticated, service_role;

-- Bulk updates and restores (0014): the request's householdId is accepted (the seed's
-- shape) and ignored; the groups are written, then the ward's households checked.
create or replace function public.ward_apply_assignments(
  p_ward_branch_id uuid, p_assignments jsonb, p_allow_clear boolean
)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform public.ward_check_assignments(p_ward_branch_id, p_assignments, p_allow_clear);

  delete from public.ward_member_groups g
  using jsonb_to_recordset(p_assignments) r("userHash" text, "newGroup" text)
  where g.ward_branch_id = p_ward_branch_id
    and g.user_hash = r."userHash"
    and r."newGroup" is null;

  update public.ward_member_groups g
  set assigned_group = r."newGroup"
  from jsonb_to_recordset(p_assignments) r("userHash" text, "newGroup" text)
  where g.ward_branch_id = p_ward_branch_id
    and g.user_hash = r."userHash"
    and r."newGroup" is not null
    and g.assigned_group is distinct from r."newGroup";

  insert into public.ward_member_groups (ward_branch_id, user_hash, assigned_group)
  select p_ward_branch_id, r."userHash", r."newGroup"
  from jsonb_to_recordset(p_assignments) r("userHash" text, "newGroup" text)
  where r."newGroup" is not null
    and not exists (
      select from public.ward_member_groups g
      where g.ward_branch_id = p_ward_branch_id and g.user_hash = r."userHash"
    )
  order by r."userHash";

  perform private.ward_check_households(p_ward_branch_id);
end
$$;

drop function public.ward_check_households(uuid, jsonb);

-- Restore takes no households: 0018's wrapper goes, and 0014's restore, which checks
-- through ward_apply_assignments, is ward_restore_assignments again.
drop function public.ward_restore_assignments(uuid, bigint, bigint, jsonb);
drop function public.ward_check_stored_households(uuid, jsonb);
alter function public.ward_restore_earlier_state(uuid, bigint, bigint)
  rename to ward_restore_assignments;
grant execute on function public.ward_restore_assignments(uuid, bigint, bigint)
  to authenticated, service_role;

-- Moves the stored members of every household of the ward whose stored groups differ to
-- the group most of them are stored in; on a tie, the group of the first of them in
-- household order (first name, last name, user_hash, by their sort keys): the engine's
-- rejoined_groups. Returns how many members moved.
create function private.ward_rejoin_households(p_ward_branch_id uuid)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  moved bigint;
begin
  with stored as (
    select m.household_key, m.user_hash, m.first_name, m.last_name, g.assigned_group
    from public.ward_members m
    join public.ward_member_groups g
      on g.ward_branch_id = m.ward_branch_id and g.user_hash = m.user_hash
    where m.ward_branch_id = p_ward_branch_id
  ),
  split as (
    select s.household_key from stored s
    group by s.household_key
    having min(s.assigned_group) <> max(s.assigned_group)
  ),
  placed as (
    select s.household_key, s.user_hash, s.assigned_group,
           row_number() over (
             partition by s.household_key
             order by private.ward_name_order(s.first_name) collate "C",
                      private.ward_normalise_name(s.first_name) collate "C",
                      private.ward_name_order(s.last_name) collate "C",
                      private.ward_normalise_name(s.last_name) collate "C",
                      s.user_hash collate "C"
           ) as place
    from stored s
    join split using (household_key)
  ),
  targets as (
    select distinct on (p.household_key) p.household_key, p.assigned_group
    from placed p
    group by p.household_key, p.assigned_group
    order by p.household_key, count(*) desc, min(p.place)
  )
  update public.ward_member_groups g
  set assigned_group = t.assigned_group
  from placed p
  join targets t using (household_key)
  where g.ward_branch_id = p_ward_branch_id
    and g.user_hash = p.user_hash
    and g.assigned_group <> t.assigned_group;
  get diagnostics moved = row_count;
  return moved;
end
$$;

revoke execute on function private.ward_rejoin_households(uuid)
  from public, anon, authenticated, service_role;

-- ward_sync_roster(p_ward_branch_id, p_members): 0015's roster sync (ward_replace_roster),
-- then, in the same transaction and audit batch, the moves that keep every household
-- whole. Returns 0015's counts and {"rejoined": n}, the members whose group changed.
drop function public.ward_sync_roster(uuid, jsonb, jsonb, bigint);

create function public.ward_sync_roster(p_ward_branch_id uuid, p_members jsonb)
returns jsonb
language plpgsql security definer
set search_path = ''
as $$
declare
  outcome jsonb;
  rejoined bigint;
begin
  perform set_config('ward.batch_id', gen_random_uuid()::text, true);
  outcome := public.ward_replace_roster(p_ward_branch_id, p_members);
  rejoined := private.ward_rejoin_households(p_ward_branch_id);
  perform private.ward_check_households(p_ward_branch_id);
  perform set_config('ward.batch_id', '', true);
  return outcome || jsonb_build_object('rejoined', rejoined);
end
$$;

revoke execute on function public.ward_sync_roster(uuid, jsonb) from public, anon;
grant execute on function public.ward_sync_roster(uuid, jsonb) to authenticated, service_role;
