-- ward_participation_facts: what a ward's participation statistics are counted from,
-- so the API can count them under each member's effective group (stored, else the
-- household's, else the default cut), which only the API can compute. The
-- member_participation_stats view (0013) stays for dashboards reading stored groups.
--
-- Returns {"sessions": {"<schedule group>": n, ...},
--          "attended": {"<user_hash>": {"<schedule group>": n, ...}, ...}}
-- where a schedule group is A-D or All; sessions counts distinct sessions, attended
-- the distinct sessions of that group each person attended (attended = true).
-- Security invoker: the caller's RLS decides what is counted (a ward's admins and
-- leaders see all of it).
create function public.ward_participation_facts(p_ward_branch_id uuid)
returns jsonb
language sql stable
set search_path = ''
as $$
  select jsonb_build_object(
    'sessions', coalesce((
      select jsonb_object_agg(per_group.assigned_group, per_group.sessions)
      from (
        select cs.assigned_group, count(distinct s.id) as sessions
        from public.cleaning_sessions s
        join public.cleaning_schedules cs on cs.id = s.schedule_id
        where s.ward_branch_id = p_ward_branch_id
        group by cs.assigned_group
      ) per_group
    ), '{}'::jsonb),
    'attended', coalesce((
      select jsonb_object_agg(per_member.user_hash, per_member.by_group)
      from (
        select counted.user_hash,
               jsonb_object_agg(counted.assigned_group, counted.sessions) as by_group
        from (
          select p.user_hash, cs.assigned_group, count(distinct p.session_id) as sessions
          from public.session_participants p
          join public.cleaning_sessions s on s.id = p.session_id
          join public.cleaning_schedules cs on cs.id = s.schedule_id
          where p.ward_branch_id = p_ward_branch_id and p.attended
          group by p.user_hash, cs.assigned_group
        ) counted
        group by counted.user_hash
      ) per_member
    ), '{}'::jsonb)
  )
$$;

revoke execute on function public.ward_participation_facts(uuid) from public, anon;
grant execute on function public.ward_participation_facts(uuid) to authenticated, service_role;
