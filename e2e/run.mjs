// The yearly workflow in real headless Chromium against a real `chiso serve`:
// a reporter fills and submits with evidence; an assessor adjusts a value with a reason
// and asks a question; the reporter answers; the administrator publishes; the public
// page shows the ranking and the report downloads. Then each role's whole year again, on a
// desktop and on a 390 px phone (`yearWalk`), every page checked as a person sees it
// (`look`). Screenshots go to docs/screenshots/.
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';

const root = resolve(import.meta.dirname, '..');
const bin = process.env.CHISO_BIN ?? join(root, 'target/debug/chiso');
const shots = join(root, 'docs/screenshots');
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'chiso-e2e-'));

function startServer() {
  return new Promise((ok, fail) => {
    const p = spawn(bin, ['serve', '--bind', '127.0.0.1:0'], { cwd: work, env: { ...process.env, CHISO_LANG: 'vi' } });
    let out = '';
    let password;
    p.stdout.on('data', (d) => {
      out += d;
      const pw = out.match(/admin \/ (\S+)/);
      if (pw) password = pw[1];
      const m = out.match(/http:\/\/(\S+)/);
      if (m) ok({ p, base: `http://${m[1]}`, password });
    });
    p.on('exit', (c) => fail(new Error(`server exited ${c}: ${out}`)));
  });
}

const { p: server, base, password } = await startServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const PW = 'mat-khau-e2e-dai';
let step = '';
// Confirmations asked before what cannot be undone (submit, verify, publish), accepted.
const asked = [];
const accept = (page) => page.on('dialog', (d) => { asked.push(d.message()); d.accept(); });
// Accessibility: axe-core on each main page; a "serious" or "critical" violation fails the run.
// Evaluated through the DevTools protocol, which the page's CSP (scripts from the site only)
// does not apply to.
const axeSource = readFileSync(join(import.meta.dirname, 'node_modules/axe-core/axe.min.js'), 'utf8');
const inaccessible = [];
const checked = [];
async function a11y(page, name) {
  await page.evaluate(axeSource);
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  checked.push(name);
  for (const v of r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
    const where = v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, ' ')})` : ''}`);
    inaccessible.push(`${name}: [${v.impact}] ${v.id}: ${v.help}\n      ${where.join('\n      ')}`);
  }
}
try {
  // The password each user chose in place of the one-time password they were given.
  const chosen = {};
  async function login(page, user, pass) {
    await page.goto(`${base}/dang-nhap`);
    await page.getByLabel('Tên đăng nhập').fill(user);
    await page.getByLabel('Mật khẩu').fill(pass);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
  }
  // Logs in; a one-time password (the first administrator's, one an administrator typed)
  // leads to the account page, where it is changed before anything else.
  async function as(user, pass, viewport = { width: 1280, height: 900 }) {
    const ctx = await browser.newContext({ viewport, locale: 'vi-VN' });
    const page = await ctx.newPage();
    accept(page);
    await login(page, user, chosen[user] ?? pass);
    await page.waitForURL(/\/(cong-viec|tai-khoan)$/);
    if (page.url().endsWith('/tai-khoan')) {
      assert.match(await page.content(), /mật khẩu một lần/);
      await page.goto(`${base}/cong-viec`); // every other page leads back here
      assert.ok(page.url().endsWith('/tai-khoan'), page.url());
      if (!checked.includes('account with a one-time password')) await a11y(page, 'account with a one-time password');
      chosen[user] = `mat-khau-tu-chon-${Object.keys(chosen).length + 1}-rieng`;
      await page.getByLabel('Mật khẩu hiện tại').fill(pass);
      await page.getByLabel('Mật khẩu mới (ít nhất 12 ký tự)').fill(chosen[user]);
      await page.getByLabel('Nhập lại mật khẩu mới').fill(chosen[user]);
      await page.getByRole('button', { name: 'Đổi mật khẩu' }).click();
      await page.waitForURL('**/dang-nhap?da-doi=1');
      await login(page, user, chosen[user]);
      await page.waitForURL('**/cong-viec');
    }
    return page;
  }

  step = 'public page';
  const pub = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await pub.goto(`${base}/ket-qua/2020/department`);
  assert.match(await pub.content(), /Sở Giáo dục và Đào tạo/);
  await pub.screenshot({ path: join(shots, 'ket-qua-2020.png'), fullPage: false });
  await a11y(pub, 'ranking 2020');
  await pub.goto(`${base}/`);
  await a11y(pub, 'home');
  await pub.goto(`${base}/don-vi/so-y-te`);
  await a11y(pub, 'unit page');
  await pub.goto(`${base}/dang-nhap`);
  await a11y(pub, 'login');

  step = 'administrator opens 2021 and adds users';
  const admin = await as('admin', password);
  await admin.goto(`${base}/quan-tri`);
  await admin.getByLabel('Năm', { exact: true }).fill('2021');
  await admin.getByLabel('Hạn nộp', { exact: true }).fill('2099-12-31');
  await admin.getByRole('button', { name: 'Mở kỳ' }).click();
  for (const [name, role, units] of [['yte', 'reporter', 'so-y-te'], ['thamdinh', 'assessor', '']]) {
    await admin.goto(`${base}/quan-tri`);
    await admin.getByLabel('Tên đăng nhập').fill(name);
    await admin.getByLabel('Mật khẩu (ít nhất 12 ký tự)').fill(PW);
    await admin.getByLabel('Vai trò').selectOption(role);
    await admin.locator('form[action="/quan-tri/nguoi-dung"] select[name="unit"]').selectOption(units ? [units] : []);
    await admin.getByRole('button', { name: 'Thêm người dùng' }).click();
  }
  await admin.screenshot({ path: join(shots, 'quan-tri.png') });
  await a11y(admin, 'administration');
  await admin.goto(`${base}/tai-khoan`);
  await a11y(admin, 'account');
  await admin.goto(`${base}/cong-viec`);
  await a11y(admin, 'work list');

  step = 'reporter fills, attaches evidence, submits';
  const yte = await as('yte', PW);
  const form = `${base}/nop/2021/department/so-y-te`;
  await yte.goto(form);
  // What is typed is kept by the browser: a reload without saving gives it back, with a notice.
  await yte.locator('input[name="infra"]').fill('7,5');
  await yte.reload();
  assert.equal(await yte.locator('input[name="infra"]').inputValue(), '7,5');
  assert.match(await yte.locator('.draft-notice').innerText(), /Đã khôi phục bản nháp chưa lưu/);
  // The running total and the level it would reach, as the user types.
  const preview = yte.locator('#tam-tinh');
  assert.equal(await preview.innerText(),
    'Tổng điểm tạm tính: 7,5/60 (còn 5 tiêu chí chưa nhập) · Mức dự kiến: chưa đạt mức thấp nhất (không xếp hạng).');
  for (const [f, v] of [['infra', '7,5'], ['app', '14'], ['web', '18'], ['online_services', '3,2'], ['staff', '5'], ['policy', '4']]) {
    await yte.locator(`input[name="${f}"]`).fill(v);
  }
  assert.equal(await preview.innerText(), 'Tổng điểm tạm tính: 51,7/60 · Mức dự kiến: Mức II.');
  await yte.locator('input[name="policy"]').fill('2');
  assert.match(await preview.innerText(), /49,7\/60 · Mức dự kiến: Mức II/);
  await yte.locator('input[name="staff"]').fill('2');
  assert.match(await preview.innerText(), /46,7\/60 · Mức dự kiến: Mức III/);
  // Each criterion's points beside its figures.
  const points = (f) => yte.locator(`fieldset:has(input[name="${f}"]) .diem-tam-tinh`).innerText();
  assert.equal(await points('infra'), 'Điểm: 7,5/8');
  await yte.locator('input[name="online_services.na"]').check(); // "không áp dụng" gives the maximum here
  assert.match(await preview.innerText(), /49,5\/60/);
  assert.equal(await points('online_services'), 'Điểm: 6,0/6');
  await yte.locator('input[name="online_services.na"]').uncheck();
  await yte.locator('input[name="staff"]').fill('5');
  await yte.locator('input[name="policy"]').fill('4');
  await yte.getByRole('button', { name: 'Lưu nháp' }).click();
  await yte.waitForURL('**?xong=luu');
  await yte.reload();
  assert.equal(await yte.locator('.draft-notice').count(), 0, 'no draft once the server saved');
  assert.equal(await yte.locator('input[name="infra"]').inputValue(), '7,5');

  step = 'a lost session: log in again, back on the form with the draft';
  await yte.context().clearCookies();
  await yte.locator('input[name="app"]').fill('15');
  await yte.getByRole('button', { name: 'Lưu nháp' }).click();
  await yte.getByRole('link', { name: 'Đăng nhập' }).last().click();
  await yte.getByLabel('Tên đăng nhập').fill('yte');
  await yte.getByLabel('Mật khẩu').fill(chosen.yte ?? PW);
  await yte.getByRole('button', { name: 'Đăng nhập' }).click();
  await yte.waitForURL('**/nop/2021/department/so-y-te');
  assert.equal(await yte.locator('input[name="app"]').inputValue(), '15');
  assert.match(await yte.locator('.draft-notice').innerText(), /Đã khôi phục bản nháp chưa lưu/);
  await yte.getByRole('button', { name: 'Bỏ bản nháp' }).click();
  assert.equal(await yte.locator('input[name="app"]').inputValue(), '14');
  await yte.reload();
  assert.equal(await yte.locator('.draft-notice').count(), 0, 'a discarded draft stays discarded');
  const evidence = join(work, 'hop-dong.pdf');
  writeFileSync(evidence, '%PDF-1.4\n% minh chung may chu\n');
  await yte.locator('form[enctype="multipart/form-data"] select[name="criterion"]').selectOption('infra');
  await yte.locator('input[type="file"]').setInputFiles(evidence);
  await yte.getByRole('button', { name: 'Tải lên' }).click();
  await yte.screenshot({ path: join(shots, 'tu-danh-gia.png'), fullPage: false });
  await a11y(yte, "reporter's form");
  await yte.goto(`${base}/nop/2021/department/so-y-te/excel`);
  await a11y(yte, "reporter's Excel page");
  await yte.goto(`${base}/nop/2021/department/so-y-te`);
  await yte.getByRole('button', { name: 'Nộp báo cáo' }).click();
  assert.match(await yte.content(), /đã nộp/);

  step = 'assessor adjusts with a reason and asks';
  const ad = await as('thamdinh', PW);
  await ad.goto(`${base}/tham-dinh/2021/department/so-y-te`);
  assert.match(await ad.content(), /hop-dong\.pdf/);
  await ad.getByLabel('Giá trị thẩm định – Hạ tầng kỹ thuật CNTT').fill('6');
  await ad.getByLabel('Lý do – Hạ tầng kỹ thuật CNTT').fill('Máy chủ chưa đưa vào sử dụng');
  await ad.getByRole('button', { name: 'Lưu điều chỉnh' }).click();
  await ad.screenshot({ path: join(shots, 'tham-dinh.png'), fullPage: false });
  await a11y(ad, "assessor's review");
  await ad.goto(`${base}/cong-viec`);
  await a11y(ad, "assessor's work list");
  await ad.goto(`${base}/tham-dinh/2021/department/so-y-te`);
  await ad.getByLabel('Câu hỏi').fill('Đề nghị bổ sung minh chứng chuyên mục');
  await ad.getByRole('button', { name: 'Gửi câu hỏi và trả lại đơn vị' }).click();

  step = 'reporter answers and submits again; assessor verifies';
  await yte.goto(`${base}/nop/2021/department/so-y-te`);
  assert.match(await yte.content(), /Đề nghị bổ sung minh chứng chuyên mục/);
  await yte.locator('form[action$="/tra-loi"] textarea').fill('Đã bổ sung đường dẫn chuyên mục');
  await yte.getByRole('button', { name: 'Gửi' }).click();
  await yte.getByRole('button', { name: 'Nộp báo cáo' }).click();
  await ad.goto(`${base}/tham-dinh/2021/department/so-y-te`);
  await ad.getByRole('button', { name: 'Xác nhận đã thẩm định' }).click();
  assert.match(await ad.content(), /đã thẩm định/);

  step = 'administrator computes, previews, approves and publishes; the public sees it';
  await admin.goto(`${base}/quan-tri`);
  const row = admin.locator('tr', { hasText: '2021' });
  await row.getByRole('link', { name: 'Tính điểm, xem trước và công bố' }).click();
  assert.match(await admin.content(), /chưa công bố/);
  await admin.screenshot({ path: join(shots, 'xem-truoc.png'), fullPage: false });
  await a11y(admin, 'preview before publishing');
  assert.match(await admin.content(), /Còn 19 đơn vị chưa nộp/); // who has not submitted, before publishing
  await admin.getByLabel('Công bố trước hạn').check();
  await admin.getByLabel('Lý do').fill('Công bố kết quả năm 2021');
  await admin.getByRole('button', { name: 'Phê duyệt và công bố' }).click();
  await admin.waitForURL('**/ket-qua/2021/department?xong=cong-bo');
  // Submitting, verifying and publishing each asked first.
  for (const q of [/^Nộp báo cáo\?/, /^Xác nhận đã thẩm định\?/, /^Công bố kết quả\?/]) {
    assert.ok(asked.some((m) => q.test(m)), `no confirmation ${q}: ${JSON.stringify(asked)}`);
  }
  assert.match(await admin.content(), /Đã công bố kết quả\./); // the page says what was done
  await pub.goto(`${base}/ket-qua/2021/department`);
  const html = await pub.content();
  assert.match(html, /Sở Y tế/);
  assert.match(html, /50,2/); // 6 (verified) + 14 + 18 + 3,2 + 5 + 4
  await pub.screenshot({ path: join(shots, 'ket-qua-2021.png'), fullPage: false });

  await a11y(pub, 'ranking 2021');

  step = 'accessibility of the other administration pages';
  for (const [path, name] of [['/quan-tri/danh-muc', 'catalogue'], ['/quan-tri/nhat-ky', 'audit log'],
                              ['/quan-tri/ky/2021/department/excel', "administrator's Excel page"]]) {
    await admin.goto(`${base}${path}`);
    await a11y(admin, name);
  }

  step = 'the administrator finds a unit by a name typed without diacritics and opens its forms';
  await admin.goto(`${base}/quan-tri/danh-muc`);
  await admin.getByLabel('Tên hoặc mã đơn vị có chứa').fill('so y te');
  await admin.getByRole('button', { name: 'Tìm', exact: true }).click();
  await admin.waitForURL(/ten=so/);
  await admin.getByRole('link', { name: 'Chọn Sở Y tế để đổi tên, sáp nhập hoặc giải thể' }).click();
  await admin.waitForURL(/don-vi=so-y-te/);
  assert.match(await admin.content(), /Thay đổi đơn vị: Sở Y tế \(so-y-te\)/);
  assert.equal(await admin.locator('form[action="/quan-tri/danh-muc/don-vi"] input[name="unit"][value="so-y-te"]').count(), 2);
  await a11y(admin, 'catalogue with a unit chosen');

  step = 'report downloads';
  await pub.goto(`${base}/`);
  const download = pub.waitForEvent('download');
  await pub.locator('li', { hasText: 'Năm 2020' }).getByRole('link', { name: 'DOCX' }).click();
  const d = await download;
  assert.equal(d.suggestedFilename(), 'bao-cao-2020.docx');
  await pub.screenshot({ path: join(shots, 'trang-chu.png') });

  step = 'the public filters the ranking and reads it in English';
  await pub.goto(`${base}/ket-qua/2020/department`);
  await pub.locator('select[name="muc"]').selectOption('Mức I');
  await pub.getByRole('button', { name: 'Lọc', exact: true }).click();
  await pub.waitForURL(/muc=/);
  assert.match(await pub.content(), /Đang hiển thị \d+\/20 đơn vị/);
  await pub.getByRole('link', { name: 'English' }).click();
  await pub.waitForURL(/muc=/); // back on the same filtered page
  const en = await pub.content();
  assert.match(en, /<html lang="en"/);
  assert.match(en, /Showing \d+ of 20 units/);
  await pub.screenshot({ path: join(shots, 'results-en.png'), fullPage: false });
  await a11y(pub, 'ranking in English');
  assert.deepEqual(inaccessible, [], `accessibility violations (serious or critical):\n  ${inaccessible.join('\n  ')}`);

  step = 'every page fits a 390 px phone';
  const mob = await as('admin', password, { width: 390, height: 844 });
  const wide = [];
  for (const path of ['/', '/ket-qua/2020/department', '/don-vi/so-y-te', '/cong-viec', '/quan-tri',
                      '/quan-tri/danh-muc', '/quan-tri/danh-muc?ten=so&don-vi=so-y-te', '/quan-tri/nhat-ky', '/quan-tri/ky/2021/department/xem-truoc',
                      '/tham-dinh/2021/department/so-y-te', '/nop/2021/department/so-y-te', '/tai-khoan']) {
    await mob.goto(`${base}${path}`);
    const width = await mob.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) wide.push(`${path}: ${width} px`);
  }
  assert.deepEqual(wide, [], `pages wider than the phone: ${wide.join(', ')}`);
  // On the phone, the ranking scrolls inside its box with the rank and unit columns kept in
  // view, and the charts' labels are at least 11 px as drawn (the SVG's scale counted).
  for (const path of ['/ket-qua/2020/department', '/quan-tri/ky/2021/department/xem-truoc']) {
    await mob.goto(`${base}${path}`);
    const table = await mob.evaluate(() => {
      const t = document.querySelector('table.ranking');
      const box = t.closest('.wrap');
      const cell = (i) => t.querySelector(`tbody tr td:nth-child(${i})`);
      const sticky = [1, 2].map((i) => getComputedStyle(cell(i)).position);
      const scrolls = box.scrollWidth > box.clientWidth;
      box.scrollLeft = box.scrollWidth;
      const b = box.getBoundingClientRect();
      const kept = [1, 2].map((i) => { const r = cell(i).getBoundingClientRect(); return r.left >= b.left - 1 && r.right <= b.right + 1; });
      return { sticky, scrolls, kept, scrolled: box.scrollLeft };
    });
    assert.deepEqual(table.sticky, ['sticky', 'sticky'], `${path}: ${JSON.stringify(table)}`);
    assert.ok(table.scrolls && table.scrolled > 0, `${path}: the table does not scroll in its box: ${JSON.stringify(table)}`);
    assert.deepEqual(table.kept, [true, true], `${path}: the unit column left the view: ${JSON.stringify(table)}`);
    const sizes = await mob.evaluate(() => [...document.querySelectorAll('svg.chart text')].map((t) =>
      parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a));
    assert.ok(sizes.length > 0, `${path}: no chart text`);
    const small = Math.min(...sizes);
    assert.ok(small >= 10.99, `${path}: chart labels ${small.toFixed(1)} px at 390 px`);
  }
  await mob.goto(`${base}/ket-qua/2020/department`);
  await mob.screenshot({ path: join(shots, 'ket-qua-2020-390.png'), fullPage: false });
  await mob.goto(`${base}/quan-tri`);
  await mob.screenshot({ path: join(shots, 'quan-tri-390.png'), fullPage: false });

  // Each page as a person sees it: never wider than the screen, and in its visible text no
  // id or machine format (on a Vietnamese page no English status word and no decimal point
  // either); a screenshot `<role>-<width>-<step>.png` where asked.
  const MACHINE = [
    [/\b\d{4}-\d{2}-\d{2}\b/, 'an ISO date'],
    [/\d{2}:\d{2}:\d{2}Z|\dT\d{2}:\d{2}/, 'an ISO time'],
    [/\b[a-z0-9]+(?:-[a-z0-9]+)+\b(?![.\w])/, 'an id'],
    [/\b[a-z]+_[a-z_]+\b/, 'an id'],
    [/\((?:infra|app|web|staff|policy)\)|\binfra\b/, 'a criterion id'],
  ];
  const VI_ONLY = [
    [/\b(?:submitted|verified|draft|published|open|closed|ranked|department|district|reporter|assessor|viewer|none)\b/, 'an English word of the machine'],
    [/(?<![\d.,])\d+\.\d{1,2}(?![\d.])/, 'a decimal point'],
  ];
  const looked = [];
  async function look(page, role, what, shot = false) {
    const seen = await page.evaluate(() => ({
      width: document.documentElement.scrollWidth, inner: window.innerWidth,
      text: document.body.innerText, lang: document.documentElement.lang,
    }));
    const where = `${role}, ${what} (${seen.inner} px, ${new URL(page.url()).pathname})`;
    looked.push(where);
    assert.ok(seen.width <= seen.inner, `${where}: the page is ${seen.width} px wide`);
    for (const [re, name] of seen.lang === 'vi' ? [...MACHINE, ...VI_ONLY] : MACHINE) {
      const m = seen.text.match(re);
      if (m) assert.fail(`${where}: ${name} on the page: "${m[0]}" in "…${seen.text.slice(Math.max(0, m.index - 60), m.index + 60)}…"`);
    }
    if (shot) await page.screenshot({ path: join(shots, `${role}-${seen.inner}-${what}.png`) });
  }

  // One whole year of the department assessment, every role in turn on one screen size.
  async function yearWalk(year, viewport) {
    const w = viewport.width;
    step = `${w} px, ${year}: a visitor opens the site`;
    const visitor = await (await browser.newContext({ viewport, locale: 'vi-VN' })).newPage();
    await visitor.goto(`${base}/`);
    await look(visitor, 'cong-chung', 'trang-chu', true);

    step = `${w} px, ${year}: the administrator opens the period`;
    const boss = await as('admin', password, viewport);
    await look(boss, 'quan-tri', 'cong-viec');
    await boss.getByRole('link', { name: 'Quản trị' }).first().click();
    await boss.getByLabel('Năm', { exact: true }).fill(String(year));
    await boss.locator('select[name="framework"]').selectOption('cao-bang-1513-department');
    await boss.getByLabel('Hạn nộp', { exact: true }).fill('2099-12-31');
    await boss.getByRole('button', { name: 'Mở kỳ' }).click();
    await boss.waitForLoadState();
    assert.ok(await boss.locator('tr', { hasText: String(year) }).count() > 0, `${year} not opened`);
    await look(boss, 'quan-tri', 'mo-ky', true);

    step = `${w} px, ${year}: the reporter enters the figures, attaches evidence and submits`;
    const reporter = await as('yte', PW, viewport);
    await look(reporter, 'don-vi', 'cong-viec');
    await reporter.locator('tr', { hasText: String(year) }).getByRole('link', { name: 'Mở', exact: true }).click();
    await reporter.waitForURL(`**/nop/${year}/department/so-y-te`);
    for (const [f, v] of [['infra', '7,5'], ['app', '14'], ['web', '18'], ['online_services', '3,2'], ['staff', '5'], ['policy', '4']]) {
      await reporter.locator(`input[name="${f}"]`).fill(v);
    }
    await reporter.getByRole('button', { name: 'Lưu nháp' }).click();
    await reporter.waitForURL('**?xong=luu');
    const file = join(work, 'bien-ban.pdf');
    writeFileSync(file, '%PDF-1.4\n% bien ban nghiem thu\n');
    await reporter.locator('form[enctype="multipart/form-data"] select[name="criterion"]').selectOption('infra');
    await reporter.locator('input[type="file"]').setInputFiles(file);
    await reporter.getByRole('button', { name: 'Tải lên' }).click();
    await reporter.waitForLoadState();
    assert.match(await reporter.content(), /bien-ban\.pdf/);
    await look(reporter, 'don-vi', 'nhap-lieu', true);
    await reporter.getByRole('button', { name: 'Nộp báo cáo' }).click();
    await reporter.waitForURL('**?xong=nop');
    assert.match(await reporter.content(), /đã nộp/);
    await look(reporter, 'don-vi', 'nop', true);

    step = `${w} px, ${year}: the assessor adjusts with a reason and asks`;
    const assessor = await as('thamdinh', PW, viewport);
    await assessor.getByRole('link', { name: /Chờ thẩm định/ }).click();
    await look(assessor, 'tham-dinh', 'cong-viec');
    await assessor.locator('tr', { hasText: String(year) }).getByRole('link', { name: 'Thẩm định', exact: true }).click();
    await assessor.waitForURL(`**/tham-dinh/${year}/department/so-y-te`);
    assert.match(await assessor.content(), /bien-ban\.pdf/);
    await assessor.getByLabel('Giá trị thẩm định – Hạ tầng kỹ thuật CNTT').fill('6');
    await assessor.getByLabel('Lý do – Hạ tầng kỹ thuật CNTT').fill('Máy chủ chưa đưa vào sử dụng');
    await assessor.getByRole('button', { name: 'Lưu điều chỉnh' }).click();
    await assessor.waitForURL('**?xong=dieu-chinh');
    await look(assessor, 'tham-dinh', 'dieu-chinh');
    await assessor.getByLabel('Câu hỏi').fill('Đề nghị bổ sung biên bản nghiệm thu máy chủ');
    await assessor.getByRole('button', { name: 'Gửi câu hỏi và trả lại đơn vị' }).click();
    await assessor.waitForURL('**?xong=hoi');
    await look(assessor, 'tham-dinh', 'hoi', true);

    step = `${w} px, ${year}: the reporter answers and submits again`;
    await reporter.goto(`${base}/cong-viec`);
    await reporter.locator('tr', { hasText: String(year) }).getByRole('link', { name: 'Mở', exact: true }).click();
    assert.match(await reporter.content(), /Đề nghị bổ sung biên bản nghiệm thu máy chủ/);
    assert.match(await reporter.content(), /Máy chủ chưa đưa vào sử dụng/); // the adjustment's reason
    await look(reporter, 'don-vi', 'cau-hoi');
    await reporter.locator('form[action$="/tra-loi"] textarea').fill('Đã bổ sung biên bản');
    await reporter.getByRole('button', { name: 'Gửi', exact: true }).click();
    await reporter.waitForLoadState();
    await reporter.getByRole('button', { name: 'Nộp báo cáo' }).click();
    await reporter.waitForURL('**?xong=nop');
    await look(reporter, 'don-vi', 'nop-lai');

    step = `${w} px, ${year}: the assessor verifies`;
    await assessor.goto(`${base}/tham-dinh/${year}/department/so-y-te`);
    assert.match(await assessor.content(), /Đã bổ sung biên bản/);
    await assessor.getByRole('button', { name: 'Xác nhận đã thẩm định' }).click();
    await assessor.waitForURL('**?xong=xac-nhan');
    assert.match(await assessor.content(), /đã thẩm định/);
    await look(assessor, 'tham-dinh', 'xac-nhan');

    step = `${w} px, ${year}: the administrator previews and publishes`;
    await boss.goto(`${base}/quan-tri`);
    await boss.locator('tr', { hasText: String(year) }).getByRole('link', { name: 'Tính điểm, xem trước và công bố' }).click();
    assert.match(await boss.content(), /Còn 19 đơn vị chưa nộp/);
    await look(boss, 'quan-tri', 'xem-truoc');
    await boss.getByLabel('Công bố trước hạn').check();
    await boss.getByLabel('Lý do').fill(`Công bố kết quả năm ${year}`);
    await boss.getByRole('button', { name: 'Phê duyệt và công bố' }).click();
    await boss.waitForURL(`**/ket-qua/${year}/department?xong=cong-bo`);
    await look(boss, 'quan-tri', 'cong-bo', true);

    step = `${w} px, ${year}: the visitor reads the ranking, the unit's page, the report`;
    await visitor.goto(`${base}/`);
    await visitor.getByRole('link', { name: 'Xếp hạng' }).first().click();
    await visitor.waitForURL(`**/ket-qua/${year}/department`);
    assert.match(await visitor.content(), /50,2/); // 6 (verified) + 14 + 18 + 3,2 + 5 + 4
    await look(visitor, 'cong-chung', 'ket-qua', true);
    await visitor.locator('table.ranking').getByRole('link', { name: 'Sở Y tế', exact: true }).click();
    await visitor.waitForURL('**/don-vi/so-y-te');
    assert.match(await visitor.locator('main').innerText(), new RegExp(`${year}\\s+Sở Y tế\\s+\\d+\\s+\\S.*50,2`));
    await look(visitor, 'cong-chung', 'don-vi', true);
    await visitor.getByRole('link', { name: 'English' }).click();
    await visitor.waitForURL('**/en/units/so-y-te');
    await look(visitor, 'cong-chung', 'don-vi-en');
    await visitor.goto(`${base}/en/results/${year}/department`);
    assert.match(await visitor.content(), /<th>Infrastructure<\/th>/);
    await look(visitor, 'cong-chung', 'ket-qua-en');
    await visitor.getByRole('link', { name: 'Tiếng Việt' }).click();
    await visitor.waitForURL(`**/ket-qua/${year}/department`);
    await visitor.goto(`${base}/`);
    const report = visitor.waitForEvent('download');
    await visitor.locator('li', { hasText: `Năm ${year}` }).getByRole('link', { name: 'DOCX' }).click();
    assert.equal((await report).suggestedFilename(), `bao-cao-${year}.docx`);
    for (const p of [visitor, boss, reporter, assessor]) await p.context().close();
  }
  await yearWalk(2022, { width: 1280, height: 900 });
  await yearWalk(2023, { width: 390, height: 844 });
  console.log(`e2e: ${looked.length} pages looked at as a person sees them`);
  console.log('e2e: ok (screenshots in docs/screenshots/)');
} catch (e) {
  console.error(`e2e failed at: ${step}`);
  throw e;
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
execFileSync(bin, ['verify'], { cwd: work, stdio: 'inherit' });
