//! The case, resolved once: the user, the line URI, the remote call control server URI (the
//! line server), the topology and the generation, each with where it came from.
//!
//! Like ripgrep's low-level to high-level arguments: the inputs as typed (AD paste and fields,
//! sign-in, rules, logs) are resolved here, once, with one documented precedence; the route
//! simulation, the directory checks and the diagnosis all read the resolved [`Case`] and never
//! re-derive a name, so two wizard steps cannot disagree about which URI they mean.
//!
//! # Precedence
//!
//! | name | first | then | then | then | last |
//! |---|---|---|---|---|---|
//! | user | the sign-in address typed | `msRTCSIP-PrimaryUserAddress` | the From of the client's CSTA INVITE, configuration SUBSCRIBE or REGISTER | — | — |
//! | line URI | `msRTCSIP-Line` (typed field over paste) | the latest configuration answer with a line | the device of the CSTA INVITE | — | — |
//! | line server URI | `msRTCSIP-LineServer` when it is a SIP URI | the latest configuration answer that starts RCC | the CSTA INVITE's request URI | the AD value made a SIP URI (`rcc@gw` → `sip:rcc@gw`), marked assumed | — |
//! | topology | `[servers]` as entered | what the logs show (client's peer, product strings, diagnostics sources) | the line server URI's host for the participant that hosts it | — | — |
//! | generation | chosen in the wizard | the servers' product strings (`Server: RTC/3.5`) | a note in the rules that names it, then the admin tool whose output was pasted (Lync Management Shell, WMI) | the clients' product strings | the configuration event the client used |
//!
//! An AD value that is not usable (a line server URI without `sip:`) stays on record as the
//! directory value — the directory checks flag it — while routing uses the best usable URI, and
//! says which.

use crate::directory::{AdAttributes, RccAttribute};
use crate::evidence::Evidence;
use crate::extract::Provisioning;
use crate::generation::{self, in_client_words, Generation, SeenGeneration};
use crate::observe::{ConfigAnswer, RccIndex};
use crate::profile::{Profile, Role};
use crate::routing::{CaseNames, GatewaySeen, Host, Topology};
use crate::sip::SipMessage;
use crate::uri::{self, UriView};
use serde::{Deserialize, Serialize};

/// Where a resolved name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Typed in the wizard (the sign-in address, the generation).
    Typed,
    /// The user's Active Directory attributes (paste or form).
    Directory,
    /// A configuration answer the client received (provisioning or roaming-self).
    Configuration,
    /// The client's CSTA INVITE (request URI or CSTA device).
    Invite,
    /// Another message of the client's (REGISTER, SUBSCRIBE).
    Log,
    /// Made up from an unusable value (the AD value with `sip:` added): an assumption.
    Assumed,
}

/// A resolved name with its source and evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub value: String,
    pub source: Source,
    pub evidence: Vec<Evidence>,
}

impl Resolved {
    fn new(value: impl Into<String>, source: Source, evidence: Vec<Evidence>) -> Resolved {
        Resolved {
            value: value.into(),
            source,
            evidence,
        }
    }
}

/// Everything downstream reads about the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub profile: Profile,
    /// The user's SIP URI (`sip:alice@contoso.com`).
    pub user: Option<Resolved>,
    pub line_uri: Option<Resolved>,
    /// The remote call control server URI, usable for routing (a SIP URI).
    pub line_server_uri: Option<Resolved>,
    /// The AD value of the line server URI when it is not a usable SIP URI (kept to say why
    /// routing uses another).
    pub unusable_line_server: Option<Resolved>,
    /// Who is who: entered `[servers]` rows, then what the logs show.
    pub topology: Topology,
    /// The server generation, when chosen or seen.
    pub generation: Option<SeenGeneration>,
    /// The user's `msRTCSIP-OptionFlags`, as the directory gives it.
    pub option_flags: Option<Resolved>,
    /// The product that sent the latest CSTA INVITE when it is not the client (a test tool such
    /// as SIPp sending on the user's behalf): its `User-Agent`, which names the client in the
    /// flow.
    #[serde(default)]
    pub client_tool: Option<String>,
    /// The gateway the logs name ([`crate::routing::gateway_in_logs`]): the profile when none
    /// was chosen, else a second opinion on the choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_seen: Option<GatewaySeen>,
}

/// What the case is resolved from.
pub struct CaseInputs<'a> {
    pub profile: Profile,
    /// The sign-in address as typed (may be empty).
    pub sign_in: &'a str,
    /// The effective AD attributes (paste overridden by typed fields).
    pub ad: Option<&'a AdAttributes>,
    /// The `[servers]` rows of the routing rules.
    pub servers: &'a [Host],
    /// The generation chosen in the wizard.
    pub generation: Option<Generation>,
    /// What the pasted admin tools' output says of the generation (see
    /// [`generation::from_admin_tool`]), in input order.
    pub tool_generations: Vec<SeenGeneration>,
    pub messages: &'a [SipMessage],
    pub index: &'a RccIndex,
    pub gateway_seen: Option<GatewaySeen>,
}

fn ad_value(ad: Option<&AdAttributes>, a: RccAttribute) -> Option<Resolved> {
    let ad = ad?;
    let v = ad.get(a)?;
    let value = v.value.trim();
    (!value.is_empty()).then(|| {
        Resolved::new(
            value,
            Source::Directory,
            ad.evidence(a).into_iter().collect(),
        )
    })
}

impl Case {
    /// Resolve the case (see the module docs for the precedence), with the user's
    /// configuration answers it was resolved from ([`RccIndex::users_config`] for
    /// [`Case::user_aor`]), which the observed flow reports.
    pub fn resolve(inputs: CaseInputs) -> (Case, Vec<ConfigAnswer>) {
        let CaseInputs {
            profile,
            sign_in,
            ad,
            servers,
            generation: chosen,
            tool_generations,
            messages,
            index,
            gateway_seen,
        } = inputs;
        let invites = csta_invites(messages, index);
        let user = resolve_user(sign_in, ad, &invites, messages, index);
        let user_aor = user.as_ref().and_then(|u| uri::aor(&u.value));
        let users_config = index.users_config(messages, user_aor.as_deref());
        let latest_config = |says: fn(&Provisioning) -> bool| {
            let answer = users_config
                .iter()
                .rev()
                .find(|answer| says(index.config_document(answer)))?;
            Some(index.config_answer(answer, messages))
        };
        let rcc_config = latest_config(Provisioning::starts_rcc);
        let with_line = latest_config(|p| p.line_uri.is_some());
        let line_uri = resolve_line_uri(ad, with_line.as_ref(), &invites);
        let (line_server_uri, unusable_line_server) =
            resolve_line_server(ad, rcc_config.as_ref(), &invites);

        // ---- topology ----
        let gateway_name = gateway_host(line_server_uri.as_ref(), user.as_ref());
        let mut topology = Topology::entered(servers);
        topology.merge(&Topology::infer(
            &profile,
            index.messages(messages),
            gateway_name.as_deref(),
        ));

        let decisive_config = latest_config(Provisioning::speaks_of_line);
        let generation = resolve_generation(
            chosen,
            &tool_generations,
            decisive_config.as_ref(),
            messages,
            index,
        );
        let client_tool = client_tool(&profile, &invites);
        let case = Case {
            profile: named_for(
                profile,
                generation.as_ref().map(|g| g.generation),
                client_tool.as_deref(),
            ),
            user,
            line_uri,
            line_server_uri,
            unusable_line_server,
            topology,
            generation,
            option_flags: ad_value(ad, RccAttribute::OptionFlags),
            client_tool,
            gateway_seen,
        };
        (case, users_config)
    }

    /// The names the route templates use.
    pub fn names(&self) -> CaseNames {
        CaseNames {
            line_server_uri: self.line_server_uri.as_ref().map(|r| r.value.clone()),
            user_uri: self.user.as_ref().map(|r| r.value.clone()),
            client: Some(
                crate::generation::client_name(self.generation.as_ref().map(|g| g.generation))
                    .to_string(),
            ),
            generation: self.generation.as_ref().map(|g| g.generation),
        }
    }

    /// The user's address of record (`sip:alice@contoso.com`, lower case).
    pub fn user_aor(&self) -> Option<String> {
        self.user.as_ref().and_then(|u| uri::aor(&u.value))
    }

    /// The line server URI's host (lower case).
    pub fn line_server_host(&self) -> Option<String> {
        self.line_server_uri
            .as_ref()
            .and_then(|r| UriView::parse(&r.value))
            .map(|v| v.host_key())
    }

    /// The line server URI's host when it names the gateway's side (see [`gateway_host`]).
    pub fn gateway_host(&self) -> Option<String> {
        gateway_host(self.line_server_uri.as_ref(), self.user.as_ref())
    }
}

/// The line server URI's host (lower case) as a name of the gateway's side, unless it is the
/// users' own SIP domain: then it names no server of the gateway's (the Home Server serves that
/// domain; a user-level route sends the URI on), and a message from or to that domain is the
/// users', not the gateway's.
fn gateway_host(line_server: Option<&Resolved>, user: Option<&Resolved>) -> Option<String> {
    let line_server = line_server?;
    let own_domain = user.is_some_and(|u| {
        crate::routing::simulate::in_users_domain(&line_server.value, &u.value).is_some()
    });
    UriView::parse(&line_server.value)
        .map(|v| v.host_key())
        .filter(|_| !own_domain)
}

/// The profile with its participants named as the case shows them: the user's server after
/// its product once the generation is known ("Home Server (OCS 2007 R2)"), the client Lync for
/// a Lync generation, or after the tool that sent the INVITE in its place ("Client (SIPp/3.1)").
/// Every flow, fix and report of the case takes its names from here.
fn named_for(mut profile: Profile, generation: Option<Generation>, tool: Option<&str>) -> Profile {
    for p in &mut profile.participants {
        match (p.role, generation, tool) {
            (Role::Client, _, Some(tool)) => {
                let product = tool.split_whitespace().next().unwrap_or(tool);
                p.label = format!("Client ({product})");
            }
            (Role::Client, Some(g), None) => p.label = in_client_words(&p.label, Some(g)),
            (Role::HomeServer, Some(g), _) => p.label = g.home_server_label().to_string(),
            _ => {}
        }
    }
    profile
}

/// The `User-Agent` of the latest CSTA INVITE when it names a product, and not the client's
/// ([`Case::client_tool`]).
fn client_tool(profile: &Profile, invites: &[&SipMessage]) -> Option<String> {
    let invite = invites.last()?;
    let product = invite.header("User-Agent")?.trim();
    (!product.is_empty() && !crate::routing::sent_by_client(profile, invite))
        .then(|| product.to_string())
}

/// The client's CSTA INVITEs (the first copy of each call), latest last.
fn csta_invites<'m>(messages: &'m [SipMessage], index: &RccIndex) -> Vec<&'m SipMessage> {
    index
        .csta_calls
        .iter()
        .filter_map(|(_, idxs)| {
            idxs.iter()
                .filter(|&&i| index.is_csta_invite_at(i))
                .filter_map(|&i| messages.get(i))
                .find(|m| m.to_tag().is_none())
        })
        .collect()
}

/// The user: as typed, else the directory's, else the From of the latest CSTA INVITE,
/// configuration SUBSCRIBE or REGISTER in the logs.
fn resolve_user(
    sign_in: &str,
    ad: Option<&AdAttributes>,
    invites: &[&SipMessage],
    messages: &[SipMessage],
    index: &RccIndex,
) -> Option<Resolved> {
    let msg = |i: usize| messages.get(i);
    let typed = sign_in.trim();
    let address = uri::typed_address(typed);
    (!address.is_empty())
        .then(|| {
            Resolved::new(
                uri::with_sip_scheme(address),
                Source::Typed,
                vec![Evidence::Input {
                    field: crate::directory::SIGN_IN_ADDRESS.into(),
                    value: typed.into(),
                }],
            )
        })
        .or_else(|| ad_value(ad, RccAttribute::PrimaryUserAddress))
        .or_else(|| {
            let from_log = invites
                .last()
                .copied()
                .or_else(|| index.config_subscribes.last().and_then(|&i| msg(i)))
                .or_else(|| {
                    index
                        .registers
                        .iter()
                        .filter_map(|&i| msg(i))
                        .find(|m| m.is_request())
                })?;
            let aor = uri::aor(from_log.header("From")?)?;
            Some(Resolved::new(aor, Source::Log, vec![from_log.evidence()]))
        })
}

/// The line URI: the directory's, else the latest configuration's, else the device of the
/// latest CSTA INVITE.
fn resolve_line_uri(
    ad: Option<&AdAttributes>,
    with_line: Option<&Provisioning>,
    invites: &[&SipMessage],
) -> Option<Resolved> {
    ad_value(ad, RccAttribute::Line)
        .or_else(|| {
            let p = with_line?;
            Some(Resolved::new(
                p.line_uri.clone()?,
                Source::Configuration,
                vec![p.evidence.clone()],
            ))
        })
        .or_else(|| {
            invites.iter().rev().find_map(|m| {
                let d = crate::extract::csta(m)?.device?;
                Some(Resolved::new(d, Source::Invite, vec![m.evidence()]))
            })
        })
}

/// The line server URI usable for routing (a SIP URI): the directory's, else the RCC
/// configuration's, else the latest CSTA INVITE's request URI, else the directory's value
/// repaired (an assumption); and the directory's value when it is not usable.
fn resolve_line_server(
    ad: Option<&AdAttributes>,
    rcc_config: Option<&Provisioning>,
    invites: &[&SipMessage],
) -> (Option<Resolved>, Option<Resolved>) {
    let ad_server = ad_value(ad, RccAttribute::LineServer);
    let usable = |r: &Resolved| {
        UriView::parse(&r.value).is_some()
            && r.value.trim_start().to_ascii_lowercase().starts_with("sip")
    };
    let (ad_usable, unusable_line_server) = match ad_server {
        Some(r) if usable(&r) => (Some(r), None),
        Some(r) => (None, Some(r)),
        None => (None, None),
    };
    let line_server_uri = ad_usable
        .or_else(|| {
            let p = rcc_config?;
            Some(Resolved::new(
                p.line_server_uri.clone()?,
                Source::Configuration,
                vec![p.evidence.clone()],
            ))
            .filter(usable)
        })
        .or_else(|| {
            let m = invites.last()?;
            Some(Resolved::new(
                m.request_uri()?,
                Source::Invite,
                vec![m.evidence()],
            ))
            .filter(usable)
        })
        .or_else(|| {
            let r = unusable_line_server.as_ref()?;
            let repaired: String = r
                .value
                .chars()
                .filter(|c| !c.is_whitespace() && !"<>\"'".contains(*c))
                .collect();
            Some(Resolved::new(
                uri::with_sip_scheme(&repaired),
                Source::Assumed,
                r.evidence.clone(),
            ))
            .filter(usable)
        });
    (line_server_uri, unusable_line_server)
}

/// The server generation: as chosen, else a server's word in the logs, else the pasted admin
/// tools', else any word in the logs, else the configuration's source.
/// How many messages of a log without remote call control traffic are read for the products
/// that name its generation.
const PRODUCT_SCAN: usize = 2000;

fn resolve_generation(
    chosen: Option<Generation>,
    tool_generations: &[SeenGeneration],
    decisive_config: Option<&Provisioning>,
    messages: &[SipMessage],
    index: &RccIndex,
) -> Option<SeenGeneration> {
    chosen
        .map(|g| SeenGeneration {
            generation: g,
            basis: "your choice".into(),
            inferred: false,
            evidence: vec![Evidence::Input {
                field: "generation".into(),
                value: g.name().into(),
            }],
            also_fits: vec![],
        })
        .or_else(|| {
            // Servers first: the server generation decides the admin tools. Only the one
            // reported is built (a log names its products in almost every message).
            let mut first = None;
            let mut products = generation::ProductMatcher::default();
            // A log without remote call control traffic still names its products: its first
            // messages then (a server names itself in nearly every message it writes).
            let mut rcc = index.messages(messages).peekable();
            let no_rcc = rcc.peek().is_none();
            let others = messages.iter().take(if no_rcc { PRODUCT_SCAN } else { 0 });
            for m in rcc.chain(others) {
                let Some(hit) = products.product_match(m) else {
                    continue;
                };
                if hit.names_a_server() {
                    return Some(hit.seen(m));
                }
                first = first.or(Some((hit, m)));
            }
            let product = first.map(|(hit, m)| hit.seen(m));
            match (tool_generations.first(), product) {
                // The admin tool's output fits two generations; the client's version tells
                // which (a Lync 2013 client, UCCAPI/15.0, beside Get-CsUser output).
                (Some(t), Some(p)) if t.also_fits.contains(&p.generation) => Some(SeenGeneration {
                    basis: format!("{}, beside {}", p.basis, t.basis),
                    evidence: [p.evidence, t.evidence.clone()].concat(),
                    ..p
                }),
                (Some(t), _) => Some(t.clone()),
                (None, p) => p,
            }
        })
        .or_else(|| {
            let p = decisive_config?;
            generation::from_config_source(p.source, p.evidence.clone())
        })
}
