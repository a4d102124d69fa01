/* Amount fields (app/amount_field.py): while one types "1억 2천만", the line under the field shows
   what it will be read as, "1억 2,000만 원 (120,000,000원)". The server reads the value again with
   the same grammar (app/amounts.py) and explains any refusal; this is only a hint. */
(function () {
  "use strict";

  var BIG = { "조": 1e12, "억": 1e8, "만": 1e4 };
  var SMALL = { "천": 1000, "백": 100, "십": 10 };
  var MAX = 1e15;
  var TOKEN = /[0-9]+(?:\.[0-9]+)?|[조억만천백십]/g;

  function normalise(text, unit) {
    var cleaned = text.normalize ? text.normalize("NFKC") : text;
    cleaned = cleaned.trim().replace(/^(₩|KRW|krw)/, "").trim();
    if (/[0-9.,]\s+[0-9]/.test(cleaned)) { return null; }
    cleaned = cleaned.replace(/\s+/g, "");
    if (unit && cleaned.slice(-unit.length) === unit) { cleaned = cleaned.slice(0, -unit.length); }
    return cleaned.replace(/[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])/g, function (group) {
      return group.replace(/,/g, "");
    });
  }

  // The same rules as app/amounts.py: null when the text is not an amount (or not a whole one).
  function parse(text, unit) {
    var cleaned = normalise(text, unit);
    if (!cleaned || cleaned.charAt(0) === "-") { return null; }
    var total = 0, group = 0, number = null, lastBig = null, lastSmall = null, position = 0, match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(cleaned)) !== null) {
      if (match.index !== position) { return null; }
      position = TOKEN.lastIndex;
      var token = match[0];
      if (/[0-9]/.test(token.charAt(0))) {
        if (number !== null) { return null; }
        number = parseFloat(token);
      } else if (SMALL[token]) {
        if (lastSmall !== null && SMALL[token] >= lastSmall) { return null; }
        group += (number === null ? 1 : number) * SMALL[token];
        lastSmall = SMALL[token]; number = null;
      } else {
        if ((number === null && group === 0) || (lastBig !== null && BIG[token] >= lastBig)) { return null; }
        total += (group + (number || 0)) * BIG[token];
        lastBig = BIG[token]; lastSmall = null; group = 0; number = null;
      }
    }
    if (position !== cleaned.length) { return null; }
    total += group + (number || 0);
    total = Math.round(total * 1e6) / 1e6;  // 1.1억 in floating point
    if (total > MAX || total !== Math.floor(total)) { return null; }
    return total;
  }

  function grouped(value) {
    return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function describe(value, unit, locale) {
    if (locale === "en") {
      return unit === "원" ? "KRW " + grouped(value) : grouped(value) + (unit === "명" ? " people" : " " + unit);
    }
    if (value < 10000) { return grouped(value) + unit; }
    var parts = [], rest = value;
    ["조", "억", "만"].forEach(function (name) {
      var count = Math.floor(rest / BIG[name]);
      if (count) { parts.push(grouped(count) + name); rest -= count * BIG[name]; }
    });
    if (rest) { parts.push(grouped(rest)); }
    return parts.join(" ") + " " + unit + " (" + grouped(value) + unit + ")";
  }

  function update(field) {
    var hint = document.querySelector('[data-amount-hint-for="' + field.id + '"]');
    if (!hint) { return; }
    var value = field.value.trim() ? parse(field.value, field.getAttribute("data-amount-unit")) : null;
    hint.textContent = value === null ? "" : describe(value, field.getAttribute("data-amount-unit"),
                                                              field.getAttribute("data-amount-locale"));
  }

  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-amount-unit")) { update(event.target); }
  });
})();
