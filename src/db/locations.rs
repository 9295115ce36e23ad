//! Resolving a port code or region slug to the ports it stands for.

use sqlx::PgPool;

use crate::domain::LocationCode;

/// The ports a location covers: the port itself, or every port in the region
/// and in all regions below it, however deep. `None` when the code is neither
/// a port nor a region.
pub async fn resolve_ports(
    pool: &PgPool,
    location: &LocationCode,
) -> Result<Option<Vec<String>>, sqlx::Error> {
    // UNION (not UNION ALL) also stops the walk if the tree has a cycle.
    let (known, ports): (bool, Vec<String>) = sqlx::query_as(
        "WITH RECURSIVE tree(slug) AS (
             SELECT slug FROM regions WHERE slug = $1
             UNION
             SELECT r.slug FROM regions r JOIN tree t ON r.parent_slug = t.slug
         )
         SELECT EXISTS (SELECT 1 FROM ports WHERE code = $1)
                OR EXISTS (SELECT 1 FROM regions WHERE slug = $1),
                ARRAY(SELECT code FROM ports WHERE code = $1
                      UNION
                      SELECT p.code FROM ports p JOIN tree t ON p.parent_slug = t.slug)",
    )
    .bind(location.as_str())
    .fetch_one(pool)
    .await?;
    Ok(known.then_some(ports))
}
