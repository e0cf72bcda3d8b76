//! `msRTCSIP-OptionFlags` decoding. The bit table lives in `data/option-flags.toml` so a support
//! engineer can correct it without touching code.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The remote call control bit.
pub const RCC_MASK: u32 = 16;
/// Enterprise Voice (`UCEnabled`).
pub const UC_MASK: u32 = 128;
/// Remote call control together with Enterprise Voice (`RemoteCallControlDualMode`).
pub const DUAL_MODE_MASK: u32 = 512;
/// EnabledForEnhancedPresence: Communicator 2007 needs it beside remote call control
/// (domain.md F1; Nortel: enhanced presence before Converged Office).
pub const ENHANCED_PRESENCE_MASK: u32 = 256;

/// The flags that turn remote call control on, from a user's flags `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RccOn {
    /// Bit 16 added (or already there); every other bit kept.
    Add(u32),
    /// An Enterprise Voice user without remote call control: adding 16 alone gives neither
    /// mode, so the admin chooses (domain.md F2): dual mode keeps the voice (16 | 128 | 512),
    /// remote call control only gives it up (128 and 512 cleared, 16 set).
    EnterpriseVoice { dual_mode: u32, rcc_only: u32 },
}

impl RccOn {
    pub fn from_flags(n: u32) -> RccOn {
        if n & RCC_MASK == 0 && n & UC_MASK != 0 {
            RccOn::EnterpriseVoice {
                dual_mode: n | RCC_MASK | DUAL_MODE_MASK,
                rcc_only: (n & !(UC_MASK | DUAL_MODE_MASK)) | RCC_MASK,
            }
        } else {
            RccOn::Add(n | RCC_MASK)
        }
    }

    /// The one value a command is written with: dual mode for an Enterprise Voice user, which
    /// takes nothing away (the fix's text offers the other choice).
    pub fn value(self) -> u32 {
        match self {
            RccOn::Add(v) => v,
            RccOn::EnterpriseVoice { dual_mode, .. } => dual_mode,
        }
    }
}

/// One row of `data/option-flags.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionFlagDef {
    pub mask: u32,
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub verified: bool,
    /// Marks the remote call control bit.
    #[serde(default)]
    pub rcc: bool,
}

#[derive(Deserialize)]
struct TableFile {
    #[serde(default)]
    bit: Vec<OptionFlagDef>,
}

/// The known bits, in mask order. Panics at first use only if the bundled data file is broken,
/// which the unit tests catch.
pub fn option_flag_table() -> &'static [OptionFlagDef] {
    static TABLE: OnceLock<Vec<OptionFlagDef>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: TableFile =
            crate::knowledge::load("option-flags", crate::knowledge::data_json!("option-flags"));
        t.bit.retain(|b| b.mask.is_power_of_two());
        t.bit.sort_by_key(|b| b.mask);
        t.bit
    })
}

/// One bit of a decoded value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagBit {
    /// Bit position (0-based).
    pub bit: u32,
    pub mask: u32,
    /// Name from the table, or `Unknown` for a set bit the table does not list.
    pub name: String,
    pub set: bool,
    /// Plain-language label, with the remote call control bit called out.
    pub note: String,
    /// Listed in the Microsoft schema reference (see the data file).
    pub verified: bool,
}

/// Parses an option flags value: decimal (`400`), negative decimal as AD shows a high bit
/// (`-2147483632`), or hex (`0x190`).
pub fn parse_option_flags(value: &str) -> Result<u32, String> {
    // ADSI Edit writes an integer as hex with its decimal or flag names after it:
    // `0x180 = ( 384 )`; the number before the `=` is the value.
    let v = match value.split_once('=') {
        Some((number, names)) if names.trim_start().starts_with('(') => number,
        _ => value,
    };
    let v = v.trim();
    if v.is_empty() {
        return Err(
            "msRTCSIP-OptionFlags is empty: it should be a number such as 16 or 400".into(),
        );
    }
    let parsed = if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        u32::from_str_radix(h, 16).ok()
    } else if let Some(n) = v.strip_prefix('-') {
        n.parse::<u32>()
            .ok()
            .and_then(|n| (n <= 1 << 31).then(|| (n as i64).wrapping_neg() as i32 as u32))
    } else {
        v.strip_prefix('+').unwrap_or(v).parse::<u32>().ok()
    };
    parsed.ok_or_else(|| {
        format!("'{v}' is not a number: msRTCSIP-OptionFlags is an integer such as 16 (decimal) or 0x10 (hex)")
    })
}

/// Decodes an option flags value into every known bit (set or not) plus any set bit the table
/// does not list.
pub fn decode_option_flags(value: &str) -> Result<Vec<FlagBit>, String> {
    let n = parse_option_flags(value)?;
    let table = option_flag_table();
    let mut out: Vec<FlagBit> = table
        .iter()
        .map(|d| {
            let set = n & d.mask != 0;
            let note = if d.rcc {
                if set {
                    format!(
                        "{}: set, so Communicator may control the desk phone",
                        d.label
                    )
                } else {
                    format!(
                        "{}: NOT set, so Communicator will not use remote call control",
                        d.label
                    )
                }
            } else {
                d.label.clone()
            };
            FlagBit {
                bit: d.mask.trailing_zeros(),
                mask: d.mask,
                name: d.name.clone(),
                set,
                note,
                verified: d.verified,
            }
        })
        .collect();
    for bit in 0..32u32 {
        let mask = 1u32 << bit;
        if n & mask != 0 && !table.iter().any(|d| d.mask == mask) {
            out.push(FlagBit {
                bit,
                mask,
                name: "Unknown".into(),
                set: true,
                note: format!(
                    "bit {bit} (value {mask}) is not in the table; check it against the product documentation"
                ),
                verified: false,
            });
        }
    }
    out.sort_by_key(|b| b.mask);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adsi_edit_hex_with_its_decimal_after_it_is_the_number() {
        assert_eq!(parse_option_flags("0x180 = ( 384 )"), Ok(384));
        assert_eq!(parse_option_flags("0x110 = (16 | 256)"), Ok(272));
        assert!(parse_option_flags("16 = 32").is_err());
    }

    #[test]
    fn table_loads_and_has_rcc_bit() {
        let t = option_flag_table();
        assert!(t.iter().any(|d| d.rcc && d.mask == RCC_MASK));
        assert!(t.iter().any(|d| d.mask == 128 && d.name == "UCEnabled"));
    }

    #[test]
    fn remote_call_control_is_added_and_an_enterprise_voice_user_chooses() {
        assert_eq!(RccOn::from_flags(256), RccOn::Add(272));
        assert_eq!(RccOn::from_flags(0), RccOn::Add(16));
        // Already on, with or without Enterprise Voice: nothing changes.
        assert_eq!(RccOn::from_flags(400), RccOn::Add(400));
        assert_eq!(RccOn::from_flags(912), RccOn::Add(912));
        let ev = RccOn::from_flags(384);
        assert_eq!(
            ev,
            RccOn::EnterpriseVoice {
                dual_mode: 912,
                rcc_only: 272
            }
        );
        assert_eq!(ev.value(), 912);
        // A stray dual-mode bit without 16 goes with the voice in "remote call control only".
        assert_eq!(
            RccOn::from_flags(128 | 512 | 1),
            RccOn::EnterpriseVoice {
                dual_mode: 657,
                rcc_only: 17
            }
        );
    }

    #[test]
    fn decodes_decimal_and_hex() {
        let bits = decode_option_flags("400").unwrap(); // 256 + 128 + 16
        let set: Vec<u32> = bits.iter().filter(|b| b.set).map(|b| b.mask).collect();
        assert_eq!(set, vec![16, 128, 256]);
        assert_eq!(decode_option_flags("0x190").unwrap(), bits);
        let rcc = bits.iter().find(|b| b.mask == 16).unwrap();
        assert_eq!(rcc.bit, 4);
        assert!(
            rcc.note.contains("remote call control") || rcc.note.contains("Remote call control")
        );
        let off = decode_option_flags("256").unwrap();
        assert!(!off.iter().find(|b| b.mask == 16).unwrap().set);
        assert!(off
            .iter()
            .find(|b| b.mask == 16)
            .unwrap()
            .note
            .contains("NOT set"));
    }

    #[test]
    fn unknown_and_bad_values() {
        let bits = decode_option_flags("1040").unwrap(); // 1024 + 16
        assert!(bits
            .iter()
            .any(|b| b.mask == 1024 && b.name == "Unknown" && b.set));
        assert!(decode_option_flags("abc").is_err());
        assert!(decode_option_flags("").is_err());
        assert!(decode_option_flags("99999999999").is_err());
        assert_eq!(parse_option_flags("-2147483632").unwrap(), 0x8000_0010);
    }
}
