//! What the database holds after the run, read with `psql` (the truth the
//! clients' records are held against).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context;

use super::{
    client::WriteKind,
    load::TITLE_PREFIX,
    setup::{FIRST_LOAD_TRANSACTION, LOAD_BILL},
};
use crate::local_api::psql_on;

#[derive(Debug, Default)]
pub struct Stored {
    /// Rows per key, for the writes that carry one: tasks by title, credits
    /// by transaction id.
    pub rows: BTreeMap<(WriteKind, String), u32>,
    /// Ids of the purchases on the load's bill.
    pub purchases: BTreeSet<i64>,
    /// `None` when the bill's balance is its credits less its purchases and
    /// not negative; otherwise what is wrong.
    pub money: Option<String>,
}

pub fn read(database_url: &str) -> anyhow::Result<Stored> {
    let mut stored = Stored::default();
    let tasks = psql_on(
        database_url,
        &format!("SELECT count(*), title FROM todo_tasks WHERE title LIKE '{TITLE_PREFIX}%' GROUP BY title"),
    )?;
    let credits = psql_on(
        database_url,
        &format!(
            "SELECT count(*), transaction_id FROM shop_transactions WHERE transaction_id >= {FIRST_LOAD_TRANSACTION} \
             GROUP BY transaction_id"
        ),
    )?;
    for (kind, text) in [(WriteKind::Task, tasks), (WriteKind::Credit, credits)] {
        for line in text.lines().filter(|l| !l.is_empty()) {
            let (count, key) = line.split_once('|').context("psql row without `|`")?;
            stored.rows.insert((kind, key.to_owned()), count.parse()?);
        }
    }
    let purchases =
        psql_on(database_url, &format!("SELECT id FROM shop_purchases WHERE bill_id = {LOAD_BILL}"))?;
    stored.purchases =
        purchases.lines().filter(|l| !l.is_empty()).map(str::parse).collect::<Result<_, _>>()?;
    let money = psql_on(
        database_url,
        &format!(
            "SELECT b.balance, COALESCE((SELECT sum(amount) FROM shop_transactions WHERE bill_id = b.id), 0), \
             COALESCE((SELECT sum(price) FROM shop_purchases WHERE bill_id = b.id), 0) \
             FROM shop_bills b WHERE b.id = {LOAD_BILL}"
        ),
    )?;
    stored.money = judge_money(money.trim());
    Ok(stored)
}

/// `balance|credits|spent` as psql prints numerics: exact decimal text.
fn judge_money(row: &str) -> Option<String> {
    let parts: Vec<&str> = row.split('|').collect();
    let [balance, credits, spent] = parts[..] else {
        return Some(format!("the load's bill could not be read: `{row}`"));
    };
    let cents = |s: &str| -> Option<i128> {
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let frac = format!("{frac:0<2}");
        (frac.len() == 2).then_some(())?;
        let sign = if whole.starts_with('-') { -1 } else { 1 };
        Some(whole.parse::<i128>().ok()? * 100 + sign * frac.parse::<i128>().ok()?)
    };
    match (cents(balance), cents(credits), cents(spent)) {
        (Some(b), Some(c), Some(s)) if b != c - s => Some(format!(
            "bill {LOAD_BILL}: balance {balance}, but its credits ({credits}) less its purchases ({spent}) come to {}",
            fmt_cents(c - s)
        )),
        (Some(b), Some(_), Some(_)) if b < 0 => {
            Some(format!("bill {LOAD_BILL}: balance {balance} is negative"))
        }
        (Some(_), Some(_), Some(_)) => None,
        _ => Some(format!("the load's bill holds amounts that are not decimals: `{row}`")),
    }
}

fn fmt_cents(c: i128) -> String {
    format!("{}{}.{:02}", if c < 0 { "-" } else { "" }, c.abs() / 100, c.abs() % 100)
}

#[cfg(test)]
mod tests {
    use super::judge_money;

    #[test]
    fn the_balance_must_be_credits_less_purchases_and_not_negative() {
        assert_eq!(judge_money("1000148.50|1000150.50|2.00"), None);
        assert_eq!(judge_money("10|10.00|0"), None);
        assert!(judge_money("1000149.50|1000150.50|2.00").unwrap().contains("come to 1000148.50"));
        assert!(judge_money("-1.00|0|1.00").unwrap().contains("negative"));
        assert!(judge_money("-0.50|1|1.50").unwrap().contains("negative"));
        assert!(judge_money("").is_some());
    }
}
