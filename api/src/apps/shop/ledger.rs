//! Where money moves: webhook credits and purchases, each meant to run inside
//! one database transaction (`state.db_tx`), plus the bill and credit reads.
//! No HTTP types: refusals are plain enums the handlers map to statuses.
//!
//! Invariants, each backed by the database as well: a bill's balance never goes
//! below zero (`shop_bills_balance_non_negative`), and a `transaction_id` is
//! credited once (`shop_transactions_transaction_id_key`).

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::{dsl::exists, prelude::*};

use super::{models::Bill, money};
use crate::schema::{shop_bills, shop_products, shop_purchases, shop_transactions, shop_users};

/// One credit announced by the payment service (signature already checked).
#[derive(Debug, Clone)]
pub struct Credit {
    pub transaction_id: i64,
    pub user_id: i64,
    pub bill_id: i64,
    pub amount: BigDecimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Credited {
    pub bill_id: i64,
    pub balance: BigDecimal,
    /// True when this `transaction_id` had been credited before: nothing moved.
    pub repeated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditRefusal {
    UnknownUser,
    /// The bill exists and belongs to another user.
    ForeignBill,
    /// This `transaction_id` was credited with another user, bill or amount.
    ReplayDiffers,
    /// The balance would pass the largest amount a bill holds.
    TooLarge,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = shop_transactions, check_for_backend(diesel::pg::Pg))]
pub struct Transaction {
    pub id: i64,
    pub transaction_id: i64,
    pub user_id: i64,
    pub bill_id: i64,
    pub amount: BigDecimal,
    pub balance_after: BigDecimal,
    pub created_at: DateTime<Utc>,
}

/// Credits a bill once per `transaction_id`, creating the bill for the user
/// when it does not exist. Concurrent credits of one bill queue on its row
/// lock; a repeat (even a concurrent one) finds the first credit's row and
/// answers its result.
pub fn credit(conn: &mut PgConnection, c: &Credit) -> QueryResult<Result<Credited, CreditRefusal>> {
    let user_known: bool = diesel::select(exists(shop_users::table.find(c.user_id))).get_result(conn)?;
    if !user_known {
        return Ok(Err(CreditRefusal::UnknownUser));
    }
    diesel::insert_into(shop_bills::table)
        .values((shop_bills::id.eq(c.bill_id), shop_bills::user_id.eq(c.user_id)))
        .on_conflict(shop_bills::id)
        .do_nothing()
        .execute(conn)?;
    let bill: Bill = shop_bills::table.find(c.bill_id).select(Bill::as_select()).for_update().first(conn)?;
    if bill.user_id != c.user_id {
        return Ok(Err(CreditRefusal::ForeignBill));
    }
    // A repeated transaction id is found by the insert's conflict below: a
    // new one (the common case) then costs no lookup of its own.
    let balance = &bill.balance + &c.amount;
    if balance > money::max() {
        return Ok(match find_credit(conn, c.transaction_id)? {
            Some(earlier) => replay(&earlier, c),
            None => Err(CreditRefusal::TooLarge),
        });
    }
    let inserted = diesel::insert_into(shop_transactions::table)
        .values((
            shop_transactions::transaction_id.eq(c.transaction_id),
            shop_transactions::bill_id.eq(c.bill_id),
            shop_transactions::user_id.eq(c.user_id),
            shop_transactions::amount.eq(&c.amount),
            shop_transactions::balance_after.eq(&balance),
        ))
        .on_conflict(shop_transactions::transaction_id)
        .do_nothing()
        .execute(conn)?;
    if inserted == 0 {
        // Credited before (to this bill or another), or meanwhile.
        return match find_credit(conn, c.transaction_id)? {
            Some(earlier) => Ok(replay(&earlier, c)),
            None => Err(diesel::result::Error::RollbackTransaction),
        };
    }
    diesel::update(shop_bills::table.find(c.bill_id)).set(shop_bills::balance.eq(&balance)).execute(conn)?;
    Ok(Ok(Credited { bill_id: c.bill_id, balance, repeated: false }))
}

fn find_credit(conn: &mut PgConnection, transaction_id: i64) -> QueryResult<Option<Transaction>> {
    shop_transactions::table
        .filter(shop_transactions::transaction_id.eq(transaction_id))
        .select(Transaction::as_select())
        .first(conn)
        .optional()
}

/// A repeated `transaction_id`: the first result if it is the same credit.
fn replay(earlier: &Transaction, c: &Credit) -> Result<Credited, CreditRefusal> {
    if earlier.user_id == c.user_id && earlier.bill_id == c.bill_id && earlier.amount == c.amount {
        Ok(Credited { bill_id: earlier.bill_id, balance: earlier.balance_after.clone(), repeated: true })
    } else {
        Err(CreditRefusal::ReplayDiffers)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Purchased {
    pub purchase_id: i64,
    pub bill_id: i64,
    pub balance: BigDecimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurchaseRefusal {
    /// Unknown or deleted product.
    NoProduct,
    /// Unknown bill, or another user's.
    NoBill,
    InsufficientFunds,
}

/// Debits a product's price from a bill of the buyer and records the purchase.
/// One conditional update takes the money, so concurrent purchases can never
/// take the balance below zero and nothing but the bill row is locked.
pub fn purchase(
    conn: &mut PgConnection,
    user_id: i64,
    product_id: i64,
    bill_id: i64,
) -> QueryResult<Result<Purchased, PurchaseRefusal>> {
    let price: Option<BigDecimal> = shop_products::table
        .find(product_id)
        .filter(shop_products::deleted_at.is_null())
        .select(shop_products::price)
        .first(conn)
        .optional()?;
    let Some(price) = price else { return Ok(Err(PurchaseRefusal::NoProduct)) };
    let mine = shop_bills::table.filter(shop_bills::id.eq(bill_id).and(shop_bills::user_id.eq(user_id)));
    let balance: Option<BigDecimal> = diesel::update(mine.filter(shop_bills::balance.ge(&price)))
        .set(shop_bills::balance.eq(shop_bills::balance - &price))
        .returning(shop_bills::balance)
        .get_result(conn)
        .optional()?;
    let Some(balance) = balance else {
        let owned: bool = diesel::select(exists(mine)).get_result(conn)?;
        return Ok(Err(if owned { PurchaseRefusal::InsufficientFunds } else { PurchaseRefusal::NoBill }));
    };
    let purchase_id = diesel::insert_into(shop_purchases::table)
        .values((
            shop_purchases::product_id.eq(product_id),
            shop_purchases::bill_id.eq(bill_id),
            shop_purchases::user_id.eq(user_id),
            shop_purchases::price.eq(&price),
        ))
        .returning(shop_purchases::id)
        .get_result(conn)?;
    Ok(Ok(Purchased { purchase_id, bill_id, balance }))
}

/// The credits of a bill of the user, by id; `None` when the bill is not theirs.
pub fn list_credits(
    conn: &mut PgConnection,
    user_id: i64,
    bill_id: i64,
    limit: i64,
    offset: i64,
) -> QueryResult<Option<Vec<Transaction>>> {
    let mine = shop_bills::table.filter(shop_bills::id.eq(bill_id).and(shop_bills::user_id.eq(user_id)));
    if !diesel::select(exists(mine)).get_result::<bool>(conn)? {
        return Ok(None);
    }
    shop_transactions::table
        .filter(shop_transactions::bill_id.eq(bill_id))
        .order(shop_transactions::id)
        .limit(limit)
        .offset(offset)
        .select(Transaction::as_select())
        .load(conn)
        .map(Some)
}
