use super::InvalidInput;

/// A port code (`CNGGZ`) or a region slug (`china_main`), syntactically valid.
/// Whether it exists is for the data layer to say.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocationCode(String);

impl LocationCode {
    /// Longer than any code or slug in the data, short enough to bound work.
    pub const MAX_LEN: usize = 64;

    pub fn parse(param: &'static str, raw: &str) -> Result<Self, InvalidInput> {
        if raw.is_empty() {
            return Err(InvalidInput::new(param, "must not be empty"));
        }
        if raw.len() > Self::MAX_LEN {
            return Err(InvalidInput::new(
                param,
                format!("is longer than {} characters", Self::MAX_LEN),
            ));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if !raw.chars().all(allowed) {
            return Err(InvalidInput::new(
                param,
                "must be a port code or region slug (letters, digits, '_' and '-' only)",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for LocationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_port_codes_and_region_slugs() {
        assert_eq!(LocationCode::parse("o", "CNGGZ").unwrap().as_str(), "CNGGZ");
        assert!(LocationCode::parse("o", "north_europe_main").is_ok());
        assert!(LocationCode::parse("o", "a-b").is_ok());
    }

    #[test]
    fn rejects_empty_long_and_odd_input() {
        for bad in [
            "",
            " CNGGZ",
            "CN GGZ",
            "x'; drop table prices;--",
            "ÅÄÖ",
            "a/b",
        ] {
            let err = LocationCode::parse("orig_code", bad).unwrap_err();
            assert_eq!(err.param, "orig_code", "{bad:?}");
        }
        let long = "a".repeat(LocationCode::MAX_LEN + 1);
        assert!(LocationCode::parse("o", &long).is_err());
        assert!(LocationCode::parse("o", &long[1..]).is_ok());
    }
}
