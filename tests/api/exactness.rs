//! Answers stay exact: random queries against both dumps equal a direct SQL
//! aggregate over `prices`.

use rand::{RngExt, SeedableRng, rngs::StdRng};

use crate::support::{Dataset, assert_rates_match, expected_rates, spawn_app_with};

async fn random_queries_match_sql(dataset: Dataset, year: i32) {
    let Some(app) = spawn_app_with(dataset).await else {
        return;
    };
    let ports: Vec<String> = sqlx::query_scalar("SELECT code FROM ports")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let regions: Vec<String> = sqlx::query_scalar("SELECT slug FROM regions")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..60 {
        let mut location = || {
            if rng.random_bool(0.5) {
                ports[rng.random_range(0..ports.len())].clone()
            } else {
                regions[rng.random_range(0..regions.len())].clone()
            }
        };
        let (orig, dest) = (location(), location());
        let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap()
            + chrono::Days::new(rng.random_range(0..40));
        let end = start + chrono::Days::new(rng.random_range(0..45));
        let (from, to) = (start.to_string(), end.to_string());
        let (status, body) = app
            .get_json(&format!(
                "/rates?date_from={from}&date_to={to}&orig_code={orig}&dest_code={dest}"
            ))
            .await;
        assert_eq!(status, 200, "{body}");
        let expected = expected_rates(&app.pool, &orig, &dest, &from, &to).await;
        assert_rates_match(&body, &expected);
    }
}

#[tokio::test]
async fn random_queries_on_the_2021_dump_match_sql() {
    random_queries_match_sql(Dataset::Xeneta2021, 2021).await;
}

#[tokio::test]
async fn random_queries_on_the_2016_dump_match_sql() {
    random_queries_match_sql(Dataset::Xeneta2016, 2016).await;
}
