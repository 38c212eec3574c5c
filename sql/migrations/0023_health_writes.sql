-- Health data, written (issue 13):
--   1. import_registrations takes the import's sealed health answers beside the clear ones,
--      all in one transaction: the people, their registrations, the import's one data key
--      and each changed person's sealed row;
--   2. seal_existing_answers: the one-off sealing of answers stored before (the command
--      `grouping health seal-existing`), moving them out of participants.responses;
--   3. the key rotation's two calls (service role only): every wrapped key, and one key
--      re-wrapped if it is still the one read (so a rotation never loses a concurrent one);
--   4. the unassigned queue keeps no one's allergens (its details are the pool and the
--      rules only, as the API shows them).

-- Stores sealed rows under their data key: the one writer of the ciphertext tables, which no
-- API role writes directly. Definer rights for that; the caller is checked first.
create function private.store_sealed_answers(p_health jsonb) returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  stored integer;
begin
  if not private.may_open_health_in_bulk() then
    raise exception 'only an admin or the service stores sealed answers' using errcode = '42501';
  end if;
  insert into public.health_data_keys (id, key_ref, wrapped_key)
  values (
    (p_health #>> '{data_key,id}')::uuid,
    p_health #>> '{data_key,key_ref}',
    decode(p_health #>> '{data_key,wrapped_key}', 'base64')
  );
  insert into public.participant_health as h (participant_id, data_key_id, nonce, ciphertext)
  select
    (s.item ->> 'participant_id')::uuid,
    (p_health #>> '{data_key,id}')::uuid,
    decode(s.item ->> 'nonce', 'base64'),
    decode(s.item ->> 'ciphertext', 'base64')
  from jsonb_array_elements(p_health -> 'rows') as s (item)
  order by 1
  on conflict (participant_id) do update
    set data_key_id = excluded.data_key_id, nonce = excluded.nonce,
      ciphertext = excluded.ciphertext;
  get diagnostics stored = row_count;
  return stored;
end
$$;

revoke all on function private.store_sealed_answers(jsonb) from public, anon;
grant execute on function private.store_sealed_answers(jsonb) to authenticated, service_role;

-- 1. The import, sealed --------------------------------------------------------------------

-- import_registrations(event, participants, health) as in the events migration, plus:
--   each participant may carry `id`: the id the import sealed their answers for (the
--     stored id of a returning person, a new id for a new one; see open_health_for_import).
--     If a concurrent import stored the same external id under another id in between, the
--     call fails with 40001 (retry) and writes nothing: the seal would not open there.
--   p_health: null, or {"data_key": {"id", "key_ref", "wrapped_key"},
--     "rows": [{"participant_id", "nonce", "ciphertext"}]} (base64): the rows replace those
--     people's sealed answers (their consent to share stays); a person must be one of this
--     import's. A person whose sealed answers are written counts as updated (or added).
drop function public.import_registrations(uuid, jsonb);

create function public.import_registrations(
  p_event_id uuid, p_participants jsonb, p_health jsonb default null
)
returns jsonb
language plpgsql
set search_path = ''
set jit = off
as $$
declare
  max_rows constant integer := 50000;
  fields constant text[] := array[
    'id', 'external_id', 'full_name', 'age', 'birth_date', 'responses'
  ];
  health_rows constant jsonb := coalesce(p_health -> 'rows', '[]'::jsonb);
  total_rows integer;
  event_status text;
  bad_row bigint;
  added integer;
  updated integer;
  registered integer;
begin
  if not private.can_write_grouping() then
    raise exception 'only an admin or the service may import registrations'
      using errcode = '42501';
  end if;
  if jsonb_typeof(p_participants) is distinct from 'array' then
    raise exception 'participants must be a JSON array' using errcode = '22023';
  end if;
  if p_health is not null and (
    jsonb_typeof(health_rows) is distinct from 'array'
    or (jsonb_array_length(health_rows) > 0
      and jsonb_typeof(p_health -> 'data_key') is distinct from 'object')
  ) then
    raise exception 'health must hold a data key and an array of rows' using errcode = '22023';
  end if;
  total_rows := jsonb_array_length(p_participants);
  if total_rows > max_rows then
    raise exception 'an import takes at most % rows', max_rows using errcode = 'EV001';
  end if;

  select e.status into event_status from public.events as e where e.id = p_event_id for share;
  if not found then
    raise exception 'no such event' using errcode = 'P0002';
  end if;
  if event_status <> 'open' then
    raise exception 'a closed event takes no imports' using errcode = 'EV002';
  end if;

  select r.n into bad_row
    from jsonb_array_elements(p_participants) with ordinality as r (item, n)
    where jsonb_typeof(r.item) is distinct from 'object'
      or jsonb_typeof(r.item -> 'external_id') is distinct from 'string'
      or coalesce(jsonb_typeof(r.item -> 'id'), 'null') not in ('string', 'null')
      or coalesce(jsonb_typeof(r.item -> 'full_name'), 'null') not in ('string', 'null')
      or coalesce(jsonb_typeof(r.item -> 'age'), 'null') not in ('number', 'null')
      or coalesce(jsonb_typeof(r.item -> 'birth_date'), 'null') not in ('string', 'null')
      or coalesce(jsonb_typeof(r.item -> 'responses'), 'object') <> 'object'
      or r.item - fields <> '{}'::jsonb
    order by r.n
    limit 1;
  if found then
    raise exception 'participant % is not an object of the import''s fields', bad_row - 1
      using errcode = '22023', detail = json_build_object('row', bad_row - 1)::text;
  end if;
  select repeated.n into bad_row
    from (
      select r.n, row_number() over (partition by r.item ->> 'external_id' order by r.n) as seen
      from jsonb_array_elements(p_participants) with ordinality as r (item, n)
    ) as repeated
    where repeated.seen > 1
    order by repeated.n
    limit 1;
  if found then
    raise exception 'participant % repeats an earlier external id', bad_row - 1
      using errcode = '22023', detail = json_build_object('row', bad_row - 1)::text;
  end if;

  create temporary table imported_people (id uuid primary key, inserted boolean not null)
    on commit drop;

  with written as (
    insert into public.participants as p (id, external_id, full_name, age, birth_date, responses)
    select
      coalesce((r.item ->> 'id')::uuid, gen_random_uuid()),
      r.item ->> 'external_id',
      r.item ->> 'full_name',
      (r.item ->> 'age')::integer,
      (r.item ->> 'birth_date')::date,
      coalesce(r.item -> 'responses', '{}'::jsonb)
    from jsonb_array_elements(p_participants) as r (item)
    order by r.item ->> 'external_id'
    on conflict (external_id) do update
      set full_name = excluded.full_name,
        age = excluded.age,
        birth_date = excluded.birth_date,
        responses = excluded.responses
      where (p.full_name, p.age, p.birth_date, p.responses)
        is distinct from (excluded.full_name, excluded.age, excluded.birth_date, excluded.responses)
    returning p.id, p.xmax = 0 as inserted
  )
  insert into imported_people (id, inserted) select w.id, w.inserted from written as w;

  -- Sealed for one id, stored under another: the seal would fail closed there.
  if exists (
    select 1 from jsonb_array_elements(p_participants) as r (item)
    join public.participants as p on p.external_id = r.item ->> 'external_id'
    where r.item ? 'id' and p.id <> (r.item ->> 'id')::uuid
  ) then
    raise exception 'a concurrent import stored one of these people; import again'
      using errcode = '40001';
  end if;

  if jsonb_array_length(health_rows) > 0 then
    if exists (
      select 1 from jsonb_array_elements(health_rows) as h (item)
      where not exists (
        select 1 from jsonb_array_elements(p_participants) as r (item)
        where r.item ->> 'id' = h.item ->> 'participant_id'
      )
    ) then
      raise exception 'sealed answers for someone this import does not name'
        using errcode = '22023';
    end if;
    perform private.store_sealed_answers(p_health);
    -- A person whose only change is their answers' health part was updated too.
    insert into imported_people (id, inserted)
    select (s.item ->> 'participant_id')::uuid, false
    from jsonb_array_elements(health_rows) as s (item)
    on conflict (id) do nothing;
  end if;

  select count(*) filter (where i.inserted), count(*) filter (where not i.inserted)
    into added, updated
    from imported_people as i;

  insert into public.event_registrations (event_id, participant_id)
  select p_event_id, p.id
    from jsonb_array_elements(p_participants) as r (item)
    join public.participants as p on p.external_id = r.item ->> 'external_id'
    order by p.id
  on conflict (event_id, participant_id) do nothing;
  get diagnostics registered = row_count;

  return jsonb_build_object(
    'added', added,
    'updated', updated,
    'unchanged', total_rows - added - updated,
    'registered', registered
  );
end
$$;

revoke all on function public.import_registrations(uuid, jsonb, jsonb) from public, anon;
grant execute on function public.import_registrations(uuid, jsonb, jsonb)
  to authenticated, service_role;

-- 2. Sealing what was stored before ---------------------------------------------------------

-- The health answers stored in clear before (participants.responses), sealed: one data
-- key, each person's sealed row, and their responses keeping only the clear answers
-- (`p_clear_keys`, a JSON array). For the service role (the command), in one transaction.
create function public.seal_existing_answers(p_health jsonb, p_clear_keys jsonb)
returns integer
language plpgsql
set search_path = ''
set jit = off
as $$
declare
  sealed integer;
begin
  if private.request_role() <> 'service_role' then
    raise exception 'only the service seals stored answers' using errcode = '42501';
  end if;
  if jsonb_array_length(coalesce(p_health -> 'rows', '[]'::jsonb)) = 0 then
    return 0;
  end if;
  sealed := private.store_sealed_answers(p_health);
  update public.participants as p
    set responses = (
      select coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb)
      from jsonb_each(p.responses) as e
      where e.key in (select jsonb_array_elements_text(p_clear_keys))
    )
    where p.id in (
      select (s.item ->> 'participant_id')::uuid
      from jsonb_array_elements(p_health -> 'rows') as s (item)
    );
  perform private.write_health_audit('event', 'migration', 'grouping health seal-existing',
    null, null, null, sealed);
  return sealed;
end
$$;

-- 3. Rotation ------------------------------------------------------------------------------

create function public.health_keys_for_rotation() returns jsonb
language plpgsql stable
set search_path = ''
as $$
begin
  if private.request_role() <> 'service_role' then
    raise exception 'only the service rotates keys' using errcode = '42501';
  end if;
  return (
    select coalesce(jsonb_agg(jsonb_build_object(
      'id', k.id, 'key_ref', k.key_ref,
      'wrapped_key', translate(encode(k.wrapped_key, 'base64'), E'\n', '')
    ) order by k.id), '[]'::jsonb)
    from public.health_data_keys as k
  );
end
$$;

-- One key re-wrapped, if it is still wrapped as read (true), else left alone (false).
create function public.rewrap_health_key(
  p_key_id uuid, p_read_wrapped_key text, p_wrapped_key text, p_key_ref text
) returns boolean
language plpgsql
set search_path = ''
as $$
begin
  if private.request_role() <> 'service_role' then
    raise exception 'only the service rotates keys' using errcode = '42501';
  end if;
  update public.health_data_keys as k
    set wrapped_key = decode(p_wrapped_key, 'base64'), key_ref = p_key_ref, rewrapped_at = now()
    where k.id = p_key_id and k.wrapped_key = decode(p_read_wrapped_key, 'base64');
  return found;
end
$$;

revoke all on function public.seal_existing_answers(jsonb, jsonb),
  public.health_keys_for_rotation(), public.rewrap_health_key(uuid, text, text, text)
  from public, anon, authenticated;
grant execute on function public.seal_existing_answers(jsonb, jsonb),
  public.health_keys_for_rotation(), public.rewrap_health_key(uuid, text, text, text)
  to service_role;

-- 4. The unassigned queue names no one's allergens ------------------------------------------

-- What a queue entry may say: the pool, the sizes and the rules, and for an unreadable
-- answer which field and what kind of value is needed (never the value). The functions
-- save only these; the check holds any other writer to them. Existing entries lose the
-- one key the engine ever wrote that names a person's allergens first.
update public.unassigned_queue
  set details = (
    select coalesce(jsonb_object_agg(e.key, e.value), '{}'::jsonb)
    from jsonb_each(details) as e
    where e.key = any (array[
      'pool', 'pool_size', 'placed_in_pool', 'left_out_in_pool', 'groups_in_pool',
      'min_group_size', 'target_group_size', 'more_participants_needed_for_a_group',
      'max_allergy_count', 'alone_exceeds_limit', 'youngest_band_starts_at', 'age', 'field',
      'problem'
    ])
  )
  where details ? 'severe_allergens';

alter table public.unassigned_queue
  add constraint unassigned_queue_details_name_no_allergens check (
    (details - array[
      'pool', 'pool_size', 'placed_in_pool', 'left_out_in_pool', 'groups_in_pool',
      'min_group_size', 'target_group_size', 'more_participants_needed_for_a_group',
      'max_allergy_count', 'alone_exceeds_limit', 'youngest_band_starts_at', 'age', 'field',
      'problem'
    ]) = '{}'::jsonb
  );
