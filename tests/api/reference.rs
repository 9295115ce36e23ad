use crate::support::{Dataset, spawn_app_with};

#[tokio::test]
async fn ports_are_listed_by_code() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    let (status, body) = app.get_json("/ports").await;
    assert_eq!(status, 200);
    let ports = body.as_array().unwrap();
    assert_eq!(ports.len(), 143);
    let codes: Vec<&str> = ports.iter().map(|p| p["code"].as_str().unwrap()).collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]));

    let (status, port) = app.get_json("/ports/CNGGZ").await;
    assert_eq!(status, 200);
    assert_eq!(port["code"], "CNGGZ");
    assert!(port["name"].is_string());
    assert!(port["parent_slug"].is_string());
}

#[tokio::test]
async fn unknown_and_malformed_ports() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    let (status, body) = app.get_json("/ports/XXXXX").await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("XXXXX"));
    let (status, _) = app.get_json("/ports/bad%20code").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn regions_show_parent_children_and_ports() {
    let Some(app) = spawn_app_with(Dataset::Xeneta2021).await else {
        return;
    };
    let (status, body) = app.get_json("/regions").await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().unwrap().len(), 20);

    let (status, root) = app.get_json("/regions/northern_europe").await;
    assert_eq!(status, 200);
    assert_eq!(root["slug"], "northern_europe");
    assert!(root["parent"].is_null());
    let children: Vec<&str> = root["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["slug"].as_str().unwrap())
        .collect();
    assert!(
        children.contains(&"scandinavia") && children.contains(&"baltic"),
        "{children:?}"
    );

    let (_, kattegat) = app.get_json("/regions/kattegat").await;
    assert_eq!(kattegat["parent"]["slug"], "scandinavia");
    assert_eq!(kattegat["parent_slug"], "scandinavia");
    let ports = kattegat["ports"].as_array().unwrap();
    assert!(ports.iter().any(|p| p["code"] == "DKCPH"), "{ports:?}");

    let (status, _) = app.get_json("/regions/atlantis").await;
    assert_eq!(status, 404);
}
