//! The results: `bench/results/<date>.json` and a Markdown table beside it.

use serde::Serialize;

use super::scenarios::Outcome;

#[derive(Serialize)]
pub struct Report {
    pub date: String,
    pub machine: String,
    pub peak_rss_mib: f64,
    pub pgbench_select_tps: Option<f64>,
    /// pgbench's backends' CPU per select: the floor for a single-row read.
    pub pgbench_pg_us: Option<f64>,
    pub outcomes: Vec<Outcome>,
    pub notes: Vec<String>,
}

impl Report {
    /// The table, under the chart `svg` (a file beside it).
    pub fn markdown(&self, svg: &str) -> String {
        let mut md = format!(
            "# Benchmark {}\n\n{}\n\nPeak RSS of the server through all scenarios: **{:.1} MiB** (target < 60 MiB: {}).\n",
            self.date,
            self.machine,
            self.peak_rss_mib,
            if self.peak_rss_mib < 60.0 { "met" } else { "missed" }
        );
        if let Some(tps) = self.pgbench_select_tps {
            md.push_str(&format!(
                "\n`pgbench -S -M prepared -c 64 -j 2 -T 6`: **{tps:.0} tps**, its backends **{:.0} µs of CPU per select** (reference for the single-row read, in its median round).\n",
                self.pgbench_pg_us.unwrap_or(f64::NAN)
            ));
        }
        md.push_str(&format!("\n![req/s, p99 and CPU per request by scenario]({svg})\n"));
        md.push_str(
            "\nCPU columns: µs of CPU time per answered request (utime + stime from `/proc/<pid>/stat`) of the server \
             and of the PostgreSQL backends serving it; load is the machine's 1-minute load average at the run's end.\n",
        );
        md.push('\n');
        md.push_str(&table(&self.outcomes, true));
        if !self.notes.is_empty() {
            md.push_str("\nNotes:\n\n");
            for n in &self.notes {
                md.push_str(&format!("- {n}\n"));
            }
        }
        md
    }
}

/// The outcomes as a Markdown table (with the peak RSS column when `with_rss`).
pub fn table<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>, with_rss: bool) -> String {
    let rss_head = if with_rss { (" peak RSS MiB |", "---:|") } else { ("", "") };
    let mut md = format!(
        "| scenario | conns | req/s | p50 ms | p99 ms | max ms | errors | server µs/req | PG µs/req | load |{} target | met |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|{}---|---|\n",
        rss_head.0, rss_head.1
    );
    for o in outcomes {
        let s = &o.stats;
        let cpu = |f: fn(&super::cpu::Cpu) -> f64, digits: usize| {
            s.cpu.as_ref().map_or_else(String::new, |c| format!("{:.*}", digits, f(c)))
        };
        let rss = if with_rss {
            format!(" {} |", o.peak_rss_mib.map_or_else(String::new, |m| format!("{m:.1}")))
        } else {
            String::new()
        };
        md.push_str(&format!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.1} | {} | {} | {} | {} |{rss} {} | {} |\n",
            o.scenario,
            o.connections,
            s.rps,
            s.p50_ms,
            s.p99_ms,
            s.max_ms,
            s.errors,
            cpu(|c| c.server_us, 0),
            cpu(|c| c.pg_us, 0),
            cpu(|c| c.load_avg, 1),
            o.target.as_deref().unwrap_or(""),
            match o.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            }
        ));
    }
    md
}
