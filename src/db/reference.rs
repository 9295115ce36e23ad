//! The reference data: ports and the region tree.

use serde::Serialize;
use sqlx::PgPool;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Port {
    #[schema(example = "CNGGZ")]
    pub code: String,
    #[schema(example = "Guangzhou")]
    pub name: String,
    /// The region the port belongs to.
    #[schema(example = "china_south_main")]
    pub parent_slug: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Region {
    #[schema(example = "china_main")]
    pub slug: String,
    #[schema(example = "China Main")]
    pub name: String,
    /// The parent region; null for a root.
    pub parent_slug: Option<String>,
}

/// A region with its neighbourhood in the tree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegionDetail {
    #[serde(flatten)]
    pub region: Region,
    /// The parent region, or null for a root.
    pub parent: Option<Region>,
    /// Direct child regions.
    pub regions: Vec<Region>,
    /// Ports directly in this region (not in its children).
    pub ports: Vec<Port>,
}

pub async fn ports(pool: &PgPool) -> Result<Vec<Port>, sqlx::Error> {
    let mut conn = super::acquire(pool).await?;
    sqlx::query_as("SELECT code, name, parent_slug FROM ports ORDER BY code")
        .fetch_all(&mut *conn)
        .await
}

pub async fn port(pool: &PgPool, code: &str) -> Result<Option<Port>, sqlx::Error> {
    let mut conn = super::acquire(pool).await?;
    sqlx::query_as("SELECT code, name, parent_slug FROM ports WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn regions(pool: &PgPool) -> Result<Vec<Region>, sqlx::Error> {
    let mut conn = super::acquire(pool).await?;
    sqlx::query_as("SELECT slug, name, parent_slug FROM regions ORDER BY slug")
        .fetch_all(&mut *conn)
        .await
}

pub async fn region(pool: &PgPool, slug: &str) -> Result<Option<RegionDetail>, sqlx::Error> {
    let mut conn = super::acquire(pool).await?;
    let Some(region) =
        sqlx::query_as::<_, Region>("SELECT slug, name, parent_slug FROM regions WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    let parent = sqlx::query_as("SELECT slug, name, parent_slug FROM regions WHERE slug = $1")
        .bind(&region.parent_slug)
        .fetch_optional(&mut *conn)
        .await?;
    let regions = sqlx::query_as(
        "SELECT slug, name, parent_slug FROM regions WHERE parent_slug = $1 ORDER BY slug",
    )
    .bind(slug)
    .fetch_all(&mut *conn)
    .await?;
    let ports = sqlx::query_as(
        "SELECT code, name, parent_slug FROM ports WHERE parent_slug = $1 ORDER BY code",
    )
    .bind(slug)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(RegionDetail {
        region,
        parent,
        regions,
        ports,
    }))
}

/// Tables visible to us, as the reference API counts them.
pub async fn number_of_tables(pool: &PgPool) -> Result<i64, sqlx::Error> {
    let mut conn = super::acquire(pool).await?;
    sqlx::query_scalar("SELECT count(*) FROM information_schema.tables")
        .fetch_one(&mut *conn)
        .await
}

/// True when no reference data has been loaded yet.
pub async fn is_empty(pool: &PgPool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT NOT EXISTS (SELECT 1 FROM ports) AND NOT EXISTS (SELECT 1 FROM regions)",
    )
    .fetch_one(pool)
    .await
}
