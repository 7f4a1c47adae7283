//! The figures of a standards set: matters, tiers and fixed-amount tiers, per unit and in all.

use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::standards::StandardsSet;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figures {
    pub matters: usize,
    pub tiers: usize,
    /// Tiers whose fine is one figure (固定处罚数额).
    pub fixed_tiers: usize,
    /// `fixed_tiers / tiers`, as a decimal string with four places.
    #[schema(value_type = String, example = "0.6235")]
    pub fixed_share: Decimal,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitFigures {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Stats {
    pub name: String,
    pub version: String,
    pub effective_date: chrono::NaiveDate,
    pub units: usize,
    #[serde(flatten)]
    pub total: Figures,
    pub per_unit: Vec<UnitFigures>,
}

fn figures<'a>(matters: impl Iterator<Item = &'a crate::standards::Matter>) -> Figures {
    let (mut m, mut t, mut f) = (0, 0, 0);
    for matter in matters {
        m += 1;
        t += matter.tiers.len();
        f += matter.tiers.iter().filter(|x| x.is_fixed()).count();
    }
    let share = if t == 0 {
        Decimal::ZERO
    } else {
        (Decimal::from(f) / Decimal::from(t)).round_dp(4)
    };
    Figures {
        matters: m,
        tiers: t,
        fixed_tiers: f,
        fixed_share: share,
    }
}

pub fn stats(set: &StandardsSet) -> Stats {
    let per_unit = set
        .units
        .iter()
        .map(|u| UnitFigures {
            code: u.code.clone(),
            name: u.name.clone(),
            figures: figures(set.matters.iter().filter(|m| m.unit == u.code)),
        })
        .collect();
    Stats {
        name: set.name.clone(),
        version: set.version.clone(),
        effective_date: set.effective_date,
        units: set.units.len(),
        total: figures(set.matters.iter()),
        per_unit,
    }
}
