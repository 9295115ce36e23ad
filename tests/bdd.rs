//! Behaviour scenarios in `tests/features/*.feature`, run with cucumber against
//! the real service and a real PostgreSQL (see `support`).

#[path = "support/mod.rs"]
mod support;

use cucumber::{World, gherkin::Step, given, then, when};
use serde_json::Value;
use support::{Dataset, TestApp, assert_rates_match, expected_rates, spawn_app_with};

#[derive(Default, World)]
struct ApiWorld {
    app: Option<TestApp>,
    last: Option<Exchange>,
}

/// The last request and what came back.
struct Exchange {
    query: String,
    status: u16,
    body: Value,
}

impl std::fmt::Debug for ApiWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let last = self.last.as_ref().map(|e| (&e.query, e.status, &e.body));
        f.debug_struct("ApiWorld").field("last", &last).finish()
    }
}

impl ApiWorld {
    fn app(&self) -> &TestApp {
        self.app.as_ref().expect("no service: add a Given step")
    }

    fn last(&self) -> &Exchange {
        self.last.as_ref().expect("no request made yet")
    }
}

#[given("the service runs on an empty database")]
async fn empty_database(world: &mut ApiWorld) {
    world.app = spawn_app_with(Dataset::Empty).await;
}

#[given(expr = "the service runs on the Xeneta {int} dataset")]
async fn xeneta_dataset(world: &mut ApiWorld, year: u32) {
    let dataset = match year {
        2016 => Dataset::Xeneta2016,
        2021 => Dataset::Xeneta2021,
        other => panic!("no Xeneta {other} dataset"),
    };
    world.app = Some(spawn_app_with(dataset).await.expect("dataset file missing"));
}

#[when(expr = "I GET {string}")]
async fn get(world: &mut ApiWorld, path: String) {
    let (status, body) = world.app().get_json(&path).await;
    world.last = Some(Exchange {
        query: path,
        status,
        body,
    });
}

#[then(expr = "the response status is {int}")]
async fn status_is(world: &mut ApiWorld, status: u16) {
    assert_eq!(world.last().status, status, "{}", world.last().body);
}

#[then("the response body is:")]
async fn body_is(world: &mut ApiWorld, step: &Step) {
    let expected: Value =
        serde_json::from_str(step.docstring().expect("a JSON docstring")).unwrap();
    assert_eq!(world.last().body, expected);
}

#[then(expr = "the error mentions {string}")]
async fn error_mentions(world: &mut ApiWorld, text: String) {
    let error = world.last().body["error"]
        .as_str()
        .expect("an error message");
    assert!(error.contains(&text), "{error:?} does not mention {text:?}");
}

#[then(expr = "there are {int} rates")]
async fn rate_count(world: &mut ApiWorld, n: usize) {
    assert_eq!(world.last().body["rates"].as_array().unwrap().len(), n);
}

/// Exact comparison: same days in the same order, same counts, prices equal
/// as numbers (`1155` and `1155.0` are the same JSON number).
#[then("the rates are:")]
async fn rates_are(world: &mut ApiWorld, step: &Step) {
    let table = step.table().expect("a table of day, count, price");
    let rates = world.last().body["rates"].as_array().unwrap();
    assert_eq!(rates.len(), table.rows.len() - 1, "number of days");
    for (got, row) in rates.iter().zip(&table.rows[1..]) {
        assert_eq!(got["day"], row[0].as_str());
        assert_eq!(
            got["count"].as_u64(),
            Some(row[1].parse().unwrap()),
            "count on {}",
            row[0]
        );
        let expected: Option<f64> = (row[2] != "null").then(|| row[2].parse().unwrap());
        assert_eq!(got["price"].as_f64(), expected, "price on {}", row[0]);
    }
}

#[then(expr = "the rate on {string} has count {int} and no price")]
async fn rate_without_price(world: &mut ApiWorld, day: String, count: u64) {
    let rates = world.last().body["rates"].as_array().unwrap();
    let rate = rates
        .iter()
        .find(|r| r["day"] == day.as_str())
        .expect("that day is in the answer");
    assert_eq!(rate["count"], count, "{rate}");
    assert!(rate["price"].is_null(), "{rate}");
}

#[then("the rates equal a direct SQL aggregate over prices")]
async fn rates_match_sql(world: &mut ApiWorld) {
    let query = world.last().query.clone();
    let param = |names: &[&str]| {
        let pairs = query.split_once('?').unwrap().1.split('&');
        pairs
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| names.contains(k))
            .map(|(_, v)| v.to_owned())
            .unwrap()
    };
    let expected = expected_rates(
        &world.app().pool,
        &param(&["orig_code", "origin"]),
        &param(&["dest_code", "destination"]),
        &param(&["date_from"]),
        &param(&["date_to"]),
    )
    .await;
    assert_rates_match(&world.last().body, &expected);
}

#[tokio::main]
async fn main() {
    let have_data = support::shared_data("xeneta-rates-2021.sql").is_some();
    if !have_data {
        eprintln!("SKIPPED: @xeneta scenarios need ../shared/data");
    }
    let features = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/features");
    ApiWorld::cucumber()
        .filter_run_and_exit(features, move |feature, _, scenario| {
            let xeneta = |tags: &[String]| tags.iter().any(|t| t == "xeneta");
            have_data || !(xeneta(&feature.tags) || xeneta(&scenario.tags))
        })
        .await;
}
