use serde_json::Value;
use sqlx::PgPool;

/// The `/rates` answer computed independently, straight from `prices` with a
/// recursive CTE: the oracle the API is compared with.
pub async fn expected_rates(
    pool: &PgPool,
    origin: &str,
    destination: &str,
    from: &str,
    to: &str,
) -> Vec<(String, i64, Option<f64>)> {
    sqlx::query_as(
        "WITH RECURSIVE
           o(slug) AS (SELECT $1::text UNION SELECT r.slug FROM regions r JOIN o ON r.parent_slug = o.slug),
           d(slug) AS (SELECT $2::text UNION SELECT r.slug FROM regions r JOIN d ON r.parent_slug = d.slug)
         SELECT to_char(g.day, 'YYYY-MM-DD'), count(p.price),
                CASE WHEN count(p.price) >= 3 THEN avg(p.price)::float8 END
           FROM generate_series($3::date, $4::date, interval '1 day') g(day)
           LEFT JOIN prices p
             ON p.day = g.day
            AND p.orig_code IN (SELECT code FROM ports WHERE code = $1 OR parent_slug IN (SELECT slug FROM o))
            AND p.dest_code IN (SELECT code FROM ports WHERE code = $2 OR parent_slug IN (SELECT slug FROM d))
          GROUP BY g.day
          ORDER BY g.day DESC",
    )
    .bind(origin)
    .bind(destination)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
    .expect("oracle query")
}

/// Asserts that a `/rates` body equals the oracle's answer (prices to within
/// floating-point rounding of the mean).
pub fn assert_rates_match(body: &Value, expected: &[(String, i64, Option<f64>)]) {
    let rates = body["rates"].as_array().expect("rates array");
    assert_eq!(rates.len(), expected.len(), "number of days");
    for (got, (day, count, price)) in rates.iter().zip(expected) {
        assert_eq!(got["day"], *day);
        assert_eq!(got["count"], *count, "count on {day}");
        match (got["price"].as_f64(), price) {
            (None, None) => assert!(got["price"].is_null()),
            (Some(g), Some(e)) => assert!(
                (g - e).abs() <= e.abs() * 1e-12,
                "price on {day}: {g} vs {e}"
            ),
            (g, e) => panic!("price on {day}: {g:?} vs {e:?}"),
        }
    }
}
