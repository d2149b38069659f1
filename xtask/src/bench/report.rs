//! The results: `bench/results/<date>.json` and a Markdown table beside it.

use serde::Serialize;

use super::scenarios::Outcome;

#[derive(Serialize)]
pub struct Report {
    pub date: String,
    pub machine: String,
    pub peak_rss_mib: f64,
    pub pgbench_select_tps: Option<f64>,
    pub outcomes: Vec<Outcome>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn markdown(&self) -> String {
        let mut md = format!(
            "# Benchmark {}\n\n{}\n\nPeak RSS of the server through all scenarios: **{:.1} MiB** (target < 60 MiB: {}).\n",
            self.date,
            self.machine,
            self.peak_rss_mib,
            if self.peak_rss_mib < 60.0 { "met" } else { "missed" }
        );
        if let Some(tps) = self.pgbench_select_tps {
            md.push_str(&format!("\n`pgbench -S -M prepared -c 64 -j 2 -T 6`: **{tps:.0} tps** (reference for the single-row read, in its median round).\n"));
        }
        md.push_str("\n| scenario | conns | req/s | p50 ms | p99 ms | max ms | errors | peak RSS MiB | target | met |\n|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for o in &self.outcomes {
            let s = &o.stats;
            md.push_str(&format!(
                "| {} | {} | {:.0} | {:.2} | {:.2} | {:.1} | {} | {} | {} | {} |\n",
                o.scenario,
                o.connections,
                s.rps,
                s.p50_ms,
                s.p99_ms,
                s.max_ms,
                s.errors,
                o.peak_rss_mib.map_or_else(String::new, |m| format!("{m:.1}")),
                o.target.as_deref().unwrap_or(""),
                match o.met {
                    Some(true) => "yes",
                    Some(false) => "**no**",
                    None => "",
                }
            ));
        }
        if !self.notes.is_empty() {
            md.push_str("\nNotes:\n\n");
            for n in &self.notes {
                md.push_str(&format!("- {n}\n"));
            }
        }
        md
    }
}
