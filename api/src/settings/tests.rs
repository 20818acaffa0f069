//! Unit tests of reading the configuration (defaults, file, environment, the standard OTel
//! variables, trusted proxies, error messages) inside `figment::Jail`s. Kept apart so that `mod.rs`
//! is the settings and their defaults alone.

use super::*;

#[test]
fn defaults_are_the_embedded_sqlite_on_localhost() {
    figment::Jail::expect_with(|_jail| {
        let s = Settings::load(None).map_err(|e| e.to_string())?;
        assert_eq!(s.database_url, "sqlite://ucap.db?mode=rwc");
        assert_eq!(s.bind.port(), 8080);
        assert_eq!(s.log_format, LogFormat::Pretty);
        Ok(())
    });
}

#[test]
fn environment_overrides_file_and_defaults() {
    figment::Jail::expect_with(|jail| {
        jail.create_file(
            "ucap.toml",
            "bind = \"0.0.0.0:9000\"\nlog_format = \"json\"",
        )?;
        jail.set_env("UCAP_CONFIG", "ucap.toml");
        jail.set_env("UCAP_LOG_FORMAT", "pretty");
        jail.set_env("DATABASE_URL", "postgres://u@h/db");
        jail.set_env("UCAP_CORS_ORIGINS", "https://a.example, https://b.example");
        let s = Settings::load(None).map_err(|e| e.to_string())?;
        assert_eq!(s.bind.port(), 9000);
        assert_eq!(s.log_format, LogFormat::Pretty);
        assert_eq!(s.database_url, "postgres://u@h/db");
        assert_eq!(s.cors_origins, ["https://a.example", "https://b.example"]);
        Ok(())
    });
}

#[test]
fn the_standard_otel_variables_apply_and_ours_win() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://standard:4318");
        jail.set_env("OTEL_SERVICE_NAME", "ucap-eu");
        let s = Settings::load(None).map_err(|e| e.to_string())?;
        assert_eq!(s.otel_endpoint.as_deref(), Some("http://standard:4318"));
        assert_eq!(s.otel_service_name, "ucap-eu");
        jail.set_env("UCAP_OTEL_ENDPOINT", "http://ours:4318");
        jail.set_env("UCAP_OTEL_SERVICE_NAME", "ucap-asia");
        let s = Settings::load(None).map_err(|e| e.to_string())?;
        assert_eq!(s.otel_endpoint.as_deref(), Some("http://ours:4318"));
        assert_eq!(s.otel_service_name, "ucap-asia");
        Ok(())
    });
}

#[test]
fn trusted_proxies_are_addresses_or_networks() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("UCAP_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1");
        let s = Settings::load(None).map_err(|e| e.to_string())?;
        let shown: Vec<String> = s.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]);
        jail.set_env("UCAP_TRUSTED_PROXIES", "10.0.0.0/33");
        let err = Settings::load(None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.to_lowercase().contains("trusted_proxies"), "{err}");
        Ok(())
    });
}

#[test]
fn a_bad_value_names_its_key() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("UCAP_BIND", "not-an-address");
        let err = Settings::load(None)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.to_lowercase().contains("bind"), "{err}");
        Ok(())
    });
}

#[test]
fn trusted_issuers_are_read_from_their_file_and_checked_at_load() {
    figment::Jail::expect_with(|jail| {
        let entry = |issuer: &str, algorithm: &str| {
            format!(
                "[[issuer]]\nissuer = \"{issuer}\"\naudience = \"ucap-api\"\nalgorithms = [\"{algorithm}\"]\ndefault_role = \"VIEWER\"\n"
            )
        };
        jail.create_file(
            "issuers.toml",
            &entry("https://sso.example.org/realms/a", "ES256"),
        )?;
        jail.set_env("UCAP_TRUSTED_ISSUERS_FILE", "issuers.toml");
        let s = Settings::load(None).map_err(|e| e.to_string())?;
        assert_eq!(s.trusted_issuers.len(), 1);
        assert_eq!(
            s.trusted_issuers[0].issuer,
            "https://sso.example.org/realms/a"
        );
        assert_eq!(s.trusted_issuers_refresh_interval, Duration::from_secs(60));

        let error = || {
            Settings::load(None)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        jail.create_file(
            "issuers.toml",
            &entry("https://sso.example.org/realms/a", "HS256"),
        )?;
        let err = error();
        assert!(
            err.contains("issuers.toml") && err.contains("issuer[0].algorithms"),
            "{err}"
        );
        // ucap's own issuer cannot be a partner's too.
        jail.create_file("issuers.toml", &entry("https://ucap.example.org", "EdDSA"))?;
        jail.set_env("UCAP_JWT_ISSUER", "https://ucap.example.org");
        assert!(error().contains("jwt_issuer"), "{}", error());
        jail.set_env("UCAP_TRUSTED_ISSUERS_FILE", "missing.toml");
        assert!(error().contains("cannot read"), "{}", error());
        Ok(())
    });
}
