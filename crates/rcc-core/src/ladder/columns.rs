//! One column per machine: the second phase of building a ladder. The aliases merged by
//! `hosts.rs` become columns, recognised as profile participants where the
//! configuration or the products say so, labelled with their nicest name and put in the
//! profile's order.

use super::hosts::{is_fqdn, is_ip, Aliases, PackedEnds};
use super::{Column, HashMap, HashSet};
use crate::profile::Profile;
use crate::routing::Topology;

/// The columns, and which column each alias landed in.
pub(super) struct Columns {
    pub(super) columns: Vec<Column>,
    /// The column of each alias (by alias id), `None` for an alias no message ends at.
    column_of_alias: Vec<Option<usize>>,
}

impl Columns {
    /// Columns with these aliases' columns (by alias id) and no labels.
    #[cfg(test)]
    pub(super) fn of_aliases(column_of_alias: Vec<Option<usize>>) -> Columns {
        Columns {
            columns: Vec::new(),
            column_of_alias,
        }
    }

    /// The column of an alias (`None` stays `None`).
    pub(super) fn of(&self, alias: Option<usize>) -> Option<usize> {
        self.column_of_alias.get(alias?).copied().flatten()
    }
}

/// The columns of a ladder: one per root alias that is a message's end.
pub(super) fn columns(
    al: &mut Aliases,
    ends: impl Iterator<Item = PackedEnds>,
    products: &HashMap<(usize, &str), u32>,
    line_servers: &HashSet<String>,
    profile: Option<&Profile>,
    topology: Option<&Topology>,
) -> Columns {
    // Columns: one per root that is an endpoint.
    let mut root_col: HashMap<usize, usize> = HashMap::default();
    let mut roots_in_order: Vec<usize> = Vec::new();
    for e in ends {
        let (f, t) = e.ends();
        for a in [f, t].into_iter().flatten() {
            let r = al.find(a);
            if let std::collections::hash_map::Entry::Vacant(e) = root_col.entry(r) {
                e.insert(roots_in_order.len());
                roots_in_order.push(r);
            }
        }
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); roots_in_order.len()];
    for i in 0..al.names.len() {
        let r = al.find(i);
        if let Some(&c) = root_col.get(&r) {
            members[c].push(i);
        }
    }
    let participant = match profile {
        Some(profile) => participants(
            al,
            &root_col,
            &members,
            products,
            line_servers,
            profile,
            topology,
        ),
        None => vec![None; roots_in_order.len()],
    };
    let columns: Vec<Column> = members
        .iter()
        .enumerate()
        .map(|(c, mem)| column(al, mem, participant[c].clone(), profile))
        .collect();
    let (columns, new_index) = in_profile_order(columns, profile);
    let column_of_alias = (0..al.names.len())
        .map(|a| root_col.get(&al.find(a)).map(|&c| new_index[c]))
        .collect();
    Columns {
        columns,
        column_of_alias,
    }
}

/// The participant of each column: known FQDNs and IPs of the topology first, then product
/// hints (by votes), then the host of the line server URI.
fn participants(
    al: &mut Aliases,
    root_col: &HashMap<usize, usize>,
    members: &[Vec<usize>],
    products: &HashMap<(usize, &str), u32>,
    line_servers: &HashSet<String>,
    profile: &Profile,
    topology: Option<&Topology>,
) -> Vec<Option<String>> {
    let mut participant: Vec<Option<String>> = vec![None; members.len()];
    let mut taken: HashSet<String> = HashSet::default();
    // Known FQDNs and IPs first: they are configuration, not a guess.
    if let Some(topo) = topology {
        for (c, mem) in members.iter().enumerate() {
            if let Some(pid) = mem
                .iter()
                .find_map(|&i| topo.who_is(&al.names[i]))
                .filter(|pid| !taken.contains(pid))
            {
                taken.insert(pid.clone());
                participant[c] = Some(pid);
            }
        }
    }
    // One vote per message that named a product: each distinct product of a host is matched
    // against the hints once, with the number of messages that said it.
    let hints: Vec<(&str, Vec<String>)> = profile
        .participants
        .iter()
        .map(|p| {
            let lower = p.product_hints.iter().map(|h| h.to_ascii_lowercase());
            (p.id.as_str(), lower.collect())
        })
        .collect();
    let mut votes: HashMap<(usize, String), u32> = HashMap::default();
    for (&(a, prod), &count) in products {
        let c = root_col[&al.find(a)];
        let lower = prod.to_ascii_lowercase();
        if let Some((id, _)) = hints
            .iter()
            .find(|(_, hs)| hs.iter().any(|h| lower.contains(h.as_str())))
        {
            *votes.entry((c, id.to_string())).or_default() += count;
        }
    }
    let mut votes: Vec<((usize, String), u32)> = votes.into_iter().collect();
    votes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for ((c, pid), _) in votes {
        if participant[c].is_none() && !taken.contains(&pid) {
            taken.insert(pid.clone());
            participant[c] = Some(pid);
        }
    }
    if let Some(ls) = profile.line_server_host() {
        if !taken.contains(&ls.id) {
            let hosts: HashSet<String> = line_servers
                .iter()
                .filter_map(|u| crate::uri::UriView::parse(u).map(|v| v.host_key()))
                .collect();
            for (c, mem) in members.iter().enumerate() {
                if participant[c].is_none() && mem.iter().any(|&i| hosts.contains(&al.names[i])) {
                    participant[c] = Some(ls.id.clone());
                    break;
                }
            }
        }
    }
    participant
}

/// One column: its aliases nicest first (FQDN, IP, other, log writer; then the most seen),
/// labelled with its participant, else its host, else the log it was the writer of.
fn column(al: &Aliases, mem: &[usize], pid: Option<String>, profile: Option<&Profile>) -> Column {
    let mut names: Vec<(usize, &String)> = mem.iter().map(|&i| (i, &al.names[i])).collect();
    // Keys computed once (`sort_by_cached_key`, stable): with the host tests inlined into
    // every comparison, `sort_by_key` was the wasm's largest sort (~60 KB).
    names.sort_by_cached_key(|(i, n)| {
        let rank = if is_fqdn(n) {
            0
        } else if is_ip(n) {
            1
        } else if n.starts_with("log:") {
            3
        } else {
            2
        };
        (rank, std::cmp::Reverse(al.seen[*i]), *i)
    });
    let host = names
        .first()
        .map(|(_, n)| n.to_string())
        .filter(|n| !n.starts_with("log:"))
        .unwrap_or_default();
    let plabel = pid
        .as_ref()
        .and_then(|id| profile.and_then(|p| p.participant(id)))
        .map(|p| p.label.clone());
    let label = plabel.unwrap_or_else(|| {
        if host.is_empty() {
            names
                .first()
                .map(|(_, n)| format!("writer of {}", n.trim_start_matches("log:")))
                .unwrap_or_else(|| "?".into())
        } else {
            host.clone()
        }
    });
    Column {
        label,
        host,
        aliases: names.iter().map(|(_, n)| n.to_string()).collect(),
        participant: pid,
    }
}

/// Profile participants in profile order, then the rest by first appearance; with the new
/// index of each column.
fn in_profile_order(
    mut columns: Vec<Column>,
    profile: Option<&Profile>,
) -> (Vec<Column>, Vec<usize>) {
    let mut order: Vec<usize> = (0..columns.len()).collect();
    if let Some(profile) = profile {
        let rank = |c: usize| {
            columns[c]
                .participant
                .as_ref()
                .and_then(|id| profile.participants.iter().position(|p| &p.id == id))
                .unwrap_or(usize::MAX)
        };
        order.sort_by_cached_key(|&c| (rank(c), c));
    }
    let mut new_index = vec![0; columns.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut sorted: Vec<Column> = Vec::with_capacity(columns.len());
    for &old in &order {
        sorted.push(std::mem::replace(
            &mut columns[old],
            Column {
                label: String::new(),
                host: String::new(),
                aliases: vec![],
                participant: None,
            },
        ));
    }
    (sorted, new_index)
}
