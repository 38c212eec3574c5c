-- Stable regroups (issue 15): what an organiser asks the next runs of an event to keep.
--
-- grouping_locks: a person locked to their group in the event's runs (whole_group: their
-- whole group is locked, taking nobody in). A run that starts from an earlier run keeps
-- each lock unless a hard rule breaks it, and says so in its diagnostics.
-- event_apart_pairs: two registrants of an event who must never share a group. Stored
-- once per pair, the smaller id first, so (a, b) and (b, a) cannot both exist.
-- Both are the organisers': admins only, like events (the nightly job reads as the
-- service role). Each row records who made it.

create table public.grouping_locks (
  event_id uuid not null references public.events (id) on delete cascade,
  participant_id uuid not null references public.participants (id) on delete cascade,
  whole_group boolean not null default false,
  created_by uuid references auth.users (id) on delete set null
    default auth.uid(),
  created_at timestamptz not null default now(),
  primary key (event_id, participant_id)
);

create table public.event_apart_pairs (
  event_id uuid not null references public.events (id) on delete cascade,
  first_participant_id uuid not null references public.participants (id) on delete cascade,
  second_participant_id uuid not null references public.participants (id) on delete cascade,
  created_by uuid references auth.users (id) on delete set null
    default auth.uid(),
  created_at timestamptz not null default now(),
  primary key (event_id, first_participant_id, second_participant_id),
  constraint event_apart_pairs_ordered check (first_participant_id < second_participant_id)
);

create index event_apart_pairs_second on public.event_apart_pairs (second_participant_id);
create index grouping_locks_participant on public.grouping_locks (participant_id);

do $$
declare
  table_name text;
begin
  foreach table_name in array array['grouping_locks', 'event_apart_pairs'] loop
    execute format('alter table public.%I enable row level security', table_name);
    execute format('revoke all on table public.%I from anon', table_name);
    execute format(
      'create policy %I on public.%I for select to authenticated'
      ' using ((select private.is_admin()))', table_name || '_admin_select', table_name);
    execute format(
      'create policy %I on public.%I for insert to authenticated'
      ' with check ((select private.is_admin()))', table_name || '_admin_insert', table_name);
    execute format(
      'create policy %I on public.%I for update to authenticated'
      ' using ((select private.is_admin())) with check ((select private.is_admin()))',
      table_name || '_admin_update', table_name);
    execute format(
      'create policy %I on public.%I for delete to authenticated'
      ' using ((select private.is_admin()))', table_name || '_admin_delete', table_name);
  end loop;
end
$$;
