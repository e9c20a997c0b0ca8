<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>shoumen</name>
    <message>
        <source>

您可以继续使用。如果问题反复出现，请重启程序，并联系技术支持。</source>
        <translation>

You can keep working. If this keeps happening, restart the program and contact support.</translation>
    </message>
    <message>
        <source>
损坏的文件已保留，请交给技术支持。恢复的记录将在联网后自动上传。</source>
        <translation>
The damaged file was kept; please give it to support. Recovered records upload automatically once online.</translation>
    </message>
    <message>
        <source> 秒</source>
        <translation> s</translation>
    </message>
    <message>
        <source>11 位手机号码</source>
        <translation>11-digit mobile number</translation>
    </message>
    <message>
        <source>11 位手机号码，将作为初始管理员账号</source>
        <translation>11-digit mobile number; becomes the first admin account</translation>
    </message>
    <message>
        <source>15 位旧身份证号码有效，可以核验</source>
        <translation>Valid 15-digit old ID number; ready to check</translation>
    </message>
    <message>
        <source>24 小时内</source>
        <translation>Within 24 h</translation>
    </message>
    <message>
        <source>4 到 8 位数字</source>
        <translation>4 to 8 digits</translation>
    </message>
    <message>
        <source>48 小时内</source>
        <translation>Within 48 h</translation>
    </message>
    <message>
        <source>6 位数字，如 330624（新昌县）</source>
        <translation>6 digits, e.g. 330624 (Xinchang County)</translation>
    </message>
    <message>
        <source>6 位验证码</source>
        <translation>6-digit code</translation>
    </message>
    <message>
        <source>7 天（168 小时）内</source>
        <translation>Within 7 days (168 h)</translation>
    </message>
    <message>
        <source>72 小时内</source>
        <translation>Within 72 h</translation>
    </message>
    <message>
        <source>8 位绑定码，例如 K7QX-M2PA</source>
        <translation>8-character code, e.g. K7QX-M2PA</translation>
    </message>
    <message>
        <source>CSV 格式</source>
        <translation>CSV format</translation>
    </message>
    <message>
        <source>CSV（表格软件通用）</source>
        <translation>CSV (any spreadsheet program)</translation>
    </message>
    <message>
        <source>Excel 格式</source>
        <translation>Excel format</translation>
    </message>
    <message>
        <source>Excel（XLSX）</source>
        <translation>Excel (XLSX)</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>PIN 已清除，保存设置后生效。</source>
        <translation>PIN cleared; takes effect when the settings are saved.</translation>
    </message>
    <message>
        <source>PIN 状态</source>
        <translation>PIN status</translation>
    </message>
    <message>
        <source>PIN 错误次数过多，请 {0} 秒后再试</source>
        <translation>Too many wrong PINs; try again in {0} s</translation>
    </message>
    <message>
        <source>PIN 错误，还可尝试 {0} 次</source>
        <translation>Wrong PIN; {0} tries left</translation>
    </message>
    <message>
        <source>USB 串口继电器</source>
        <translation>USB serial relay</translation>
    </message>
    <message>
        <source>{0} · {1} · {2}</source>
        <translation>{0} · {1} · {2}</translation>
    </message>
    <message>
        <source>{0} · {1} 每小时核验人次</source>
        <translation>{0} · {1} checks per hour</translation>
    </message>
    <message>
        <source>{0} · 近 {1} 天</source>
        <translation>{0} · last {1} days</translation>
    </message>
    <message>
        <source>{0} 共 {1} 个场所</source>
        <translation>{0}: {1} venues</translation>
    </message>
    <message>
        <source>{0} 分 {1:02d} 秒后过期，只能使用一次</source>
        <translation>Expires in {0}:{1:02d}; can be used once</translation>
    </message>
    <message>
        <source>{0} 已播放完毕</source>
        <translation>{0} finished playing</translation>
    </message>
    <message>
        <source>{0} 有多个检查点，请选择本机所在的检查点。</source>
        <translation>{0} has several checkpoints; choose the one this device is at.</translation>
    </message>
    <message>
        <source>{0} 条核验记录暂存内存，未写入本机</source>
        <translation>{0} check records held in memory, not saved on this device</translation>
    </message>
    <message>
        <source>{0} 条被拒绝</source>
        <translation>{0} rejected</translation>
    </message>
    <message>
        <source>{0} 每小时核验人次</source>
        <translation>{0} checks per hour</translation>
    </message>
    <message>
        <source>{0} 的数据读取失败：{1}</source>
        <translation>Could not read the data of {0}: {1}</translation>
    </message>
    <message>
        <source>{0} 的统计读取失败：{1}</source>
        <translation>Could not read the statistics of {0}: {1}</translation>
    </message>
    <message>
        <source>{0} 秒后清除</source>
        <translation>Clears in {0} s</translation>
    </message>
    <message>
        <source>{0} 秒后重发</source>
        <translation>Resend in {0} s</translation>
    </message>
    <message>
        <source>{0}。{1}</source>
        <translation>{0}. {1}</translation>
    </message>
    <message>
        <source>{0}。您的修改未保存，请载入服务器版本后重新修改。</source>
        <translation>{0}. Your changes were not saved; load the server's version and edit again.</translation>
    </message>
    <message>
        <source>{0}年{1}月{2}日</source>
        <translation>{2}/{1}/{0}</translation>
    </message>
    <message>
        <source>{0}状态</source>
        <translation>{0} status</translation>
    </message>
    <message>
        <source>{0}说明</source>
        <translation>{0} details</translation>
    </message>
    <message>
        <source>{0}（{1} {2}）</source>
        <translation>{0} ({1} {2})</translation>
    </message>
    <message>
        <source>{0}（{1} 条）</source>
        <translation>{0} ({1} records)</translation>
    </message>
    <message>
        <source>{0}（{1} 秒后重试）</source>
        <translation>{0} (retry in {1} s)</translation>
    </message>
    <message>
        <source>{0}（{1}）</source>
        <translation>{0} ({1})</translation>
    </message>
    <message>
        <source>{0}，{1}</source>
        <translation>{0}; {1}</translation>
    </message>
    <message>
        <source>{0}：{1}</source>
        <translation>{0}: {1}</translation>
    </message>
    <message>
        <source>{0}：各项正常</source>
        <translation>{0}: all clear</translation>
    </message>
    <message>
        <source>{0}：请更正或清空体温后重新扫码</source>
        <translation>{0}: correct or clear the temperature, then scan again</translation>
    </message>
    <message>
        <source>{0}；可使用证件录入或扫码枪</source>
        <translation>{0}; use ID entry or a scanner gun</translation>
    </message>
    <message>
        <source>{0}；正在等待摄像头重新连接，可先用证件录入</source>
        <translation>{0}; waiting for the camera to reconnect, use ID entry meanwhile</translation>
    </message>
    <message>
        <source>“{0}”是本机正在使用的检查点。删除后，本机返回核验时需要重新选择检查点。
</source>
        <translation>"{0}" is the checkpoint this device uses. After deleting it, choose a checkpoint again to return to checking.
</translation>
    </message>
    <message>
        <source>“放行（已做传统纸质登记）”只用于无智能手机且无证件号码的访客</source>
        <translation>"Let in (paper record made)" is only for visitors with neither a smartphone nor an ID number</translation>
    </message>
    <message>
        <source>○ 离线</source>
        <translation>○ Offline</translation>
    </message>
    <message>
        <source>● 在线</source>
        <translation>● Online</translation>
    </message>
    <message>
        <source>、</source>
        <translation>, </translation>
    </message>
    <message>
        <source>。</source>
        <translation>.</translation>
    </message>
    <message>
        <source>一次最多导出 {0} 天，请缩短日期范围</source>
        <translation>At most {0} days per export; shorten the date range</translation>
    </message>
    <message>
        <source>上一位访客尚未处理</source>
        <translation>Previous visitor not handled</translation>
    </message>
    <message>
        <source>上一位访客需要人工核验，尚未选择“人工放行”或“劝返”。
继续核验下一位，上一位将记为未决定。</source>
        <translation>The previous visitor needs a manual check; neither "Let in" nor "Turn away" was chosen.
If you check the next visitor, the previous one is recorded as undecided.</translation>
    </message>
    <message>
        <source>上次同步 {0}</source>
        <translation>Last sync {0}</translation>
    </message>
    <message>
        <source>上次同步时间</source>
        <translation>Last sync time</translation>
    </message>
    <message>
        <source>下一步</source>
        <translation>Next</translation>
    </message>
    <message>
        <source>下面是服务器上的版本，可在此基础上修改。</source>
        <translation>Below is the server's version; you can edit from there.</translation>
    </message>
    <message>
        <source>不同提示音（按核验结果区分）</source>
        <translation>Different tones (by result)</translation>
    </message>
    <message>
        <source>不是有效的个人健康码，请重新扫码</source>
        <translation>Not a valid personal health code; scan again</translation>
    </message>
    <message>
        <source>不能大于 {0}</source>
        <translation>Must not be above {0}</translation>
    </message>
    <message>
        <source>不能小于 {0}</source>
        <translation>Must not be below {0}</translation>
    </message>
    <message>
        <source>不要求</source>
        <translation>Not required</translation>
    </message>
    <message>
        <source>不要求核酸</source>
        <translation>No NAT required</translation>
    </message>
    <message>
        <source>不通过</source>
        <translation>Reject</translation>
    </message>
    <message>
        <source>不通过原因</source>
        <translation>Rejection reason</translation>
    </message>
    <message>
        <source>不通过审核</source>
        <translation>Reject venue</translation>
    </message>
    <message>
        <source>不通过提示</source>
        <translation>Rejection note</translation>
    </message>
    <message>
        <source>两次输入的 PIN 不一致</source>
        <translation>The two PINs do not match</translation>
    </message>
    <message>
        <source>严格（张*，3306************34）</source>
        <translation>Strict (Z*, 3306************34)</translation>
    </message>
    <message>
        <source>个人</source>
        <translation>Personal</translation>
    </message>
    <message>
        <source>串口</source>
        <translation>Serial port</translation>
    </message>
    <message>
        <source>为此访客做核查登记</source>
        <translation>File an anomaly record for this visitor</translation>
    </message>
    <message>
        <source>为没有智能手机的场所负责人注册场所。注册后可直接为其打印场所码海报。</source>
        <translation>Register a venue for an owner without a smartphone. You can then print its venue code poster right away.</translation>
    </message>
    <message>
        <source>乡镇街道工作人员请登录后在“代为注册”中为场所负责人注册场所</source>
        <translation>Township staff: log in and use "Register for owner" to register venues for owners</translation>
    </message>
    <message>
        <source>乡镇（街道）</source>
        <translation>Township (subdistrict)</translation>
    </message>
    <message>
        <source>二维码无效</source>
        <translation>Invalid QR code</translation>
    </message>
    <message>
        <source>二维码解码库不可用</source>
        <translation>QR decoder library unavailable</translation>
    </message>
    <message>
        <source>交通方式</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>人工放行</source>
        <translation>Let in</translation>
    </message>
    <message>
        <source>人工核验</source>
        <translation>Manual check</translation>
    </message>
    <message>
        <source>人工核验决定</source>
        <translation>Manual decision</translation>
    </message>
    <message>
        <source>仅用于本检查点：{0}</source>
        <translation>This checkpoint only: {0}</translation>
    </message>
    <message>
        <source>今天</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>今日无核验</source>
        <translation>No checks today</translation>
    </message>
    <message>
        <source>从何处来</source>
        <translation>Coming from</translation>
    </message>
    <message>
        <source>从未联系</source>
        <translation>Never</translation>
    </message>
    <message>
        <source>代为注册</source>
        <translation>Register for owner</translation>
    </message>
    <message>
        <source>代为注册场所</source>
        <translation>Register a venue for its owner</translation>
    </message>
    <message>
        <source>代为注册提示</source>
        <translation>Register-for-owner note</translation>
    </message>
    <message>
        <source>以下场所当日的证件查询疑似批量试号，请核实场所身份与用途</source>
        <translation>ID lookups at these venues that day look like bulk number guessing; check the venue and its purpose</translation>
    </message>
    <message>
        <source>体温</source>
        <translation>Temperature</translation>
    </message>
    <message>
        <source>体温 {0} °C，随下一次核验记录</source>
        <translation>Temperature {0} °C, saved with the next check</translation>
    </message>
    <message>
        <source>体温 {celsius} °C</source>
        <translation>Temperature {celsius} °C</translation>
    </message>
    <message>
        <source>体温 {celsius} °C，超过 {threshold} °C</source>
        <translation>Temperature {celsius} °C, above {threshold} °C</translation>
    </message>
    <message>
        <source>体温 {celsius} °C，达到 {threshold} °C</source>
        <translation>Temperature {celsius} °C, reaches {threshold} °C</translation>
    </message>
    <message>
        <source>体温 °C，可不填，如 36.8</source>
        <translation>Temperature °C, optional, e.g. 36.8</translation>
    </message>
    <message>
        <source>体温应为数字，例如 36.8</source>
        <translation>Temperature must be a number, e.g. 36.8</translation>
    </message>
    <message>
        <source>体温异常</source>
        <translation>Fever</translation>
    </message>
    <message>
        <source>体温提示</source>
        <translation>Temperature note</translation>
    </message>
    <message>
        <source>体温读数异常，请复测</source>
        <translation>Implausible temperature reading; measure again</translation>
    </message>
    <message>
        <source>体温超出可能的范围，请复测</source>
        <translation>Temperature out of range; measure again</translation>
    </message>
    <message>
        <source>体温（°C）</source>
        <translation>Temperature (°C)</translation>
    </message>
    <message>
        <source>体温（摄氏度，可不填）</source>
        <translation>Temperature (°C, optional)</translation>
    </message>
    <message>
        <source>使用中</source>
        <translation>Active</translation>
    </message>
    <message>
        <source>例如 /dev/ttyUSB0 或 COM3</source>
        <translation>e.g. /dev/ttyUSB0 or COM3</translation>
    </message>
    <message>
        <source>例如 http://192.168.1.64</source>
        <translation>e.g. http://192.168.1.64</translation>
    </message>
    <message>
        <source>例如 https://…/open</source>
        <translation>e.g. https://…/open</translation>
    </message>
    <message>
        <source>例如：工作人员核实放行</source>
        <translation>e.g. staff verified and let in</translation>
    </message>
    <message>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>保存位置</source>
        <translation>Save location</translation>
    </message>
    <message>
        <source>保存到</source>
        <translation>Save to</translation>
    </message>
    <message>
        <source>保存图片</source>
        <translation>Save image</translation>
    </message>
    <message>
        <source>保存场所码图片</source>
        <translation>Save venue code image</translation>
    </message>
    <message>
        <source>保存导出文件</source>
        <translation>Save export file</translation>
    </message>
    <message>
        <source>保存状态</source>
        <translation>Save status</translation>
    </message>
    <message>
        <source>保存登记</source>
        <translation>Save record</translation>
    </message>
    <message>
        <source>保存规则</source>
        <translation>Save rules</translation>
    </message>
    <message>
        <source>保存设置</source>
        <translation>Save settings</translation>
    </message>
    <message>
        <source>保安</source>
        <translation>guard</translation>
    </message>
    <message>
        <source>信任列表已过期，无法离线核验，请联网同步</source>
        <translation>Trust list expired; cannot verify offline. Connect to sync</translation>
    </message>
    <message>
        <source>信任列表无效，已拒绝（离线核验仍用上一版）</source>
        <translation>Trust list invalid and refused (offline checks keep using the previous one)</translation>
    </message>
    <message>
        <source>信任列表格式无效，已拒绝（离线核验仍用上一版）</source>
        <translation>Trust list badly formed and refused (offline checks keep using the previous one)</translation>
    </message>
    <message>
        <source>信任列表比本机已有的旧，已拒绝（离线核验仍用上一版）</source>
        <translation>Trust list older than the one on this device and refused (offline checks keep using the previous one)</translation>
    </message>
    <message>
        <source>信任列表没有签名，已拒绝（离线核验仍用上一版）</source>
        <translation>Trust list not signed and refused (offline checks keep using the previous one)</translation>
    </message>
    <message>
        <source>信任列表的根密钥与本机记录的不一致，已拒绝（离线核验仍用上一版），请联系管理员</source>
        <translation>Trust list root key does not match the one this device knows; refused (offline checks keep using the previous one). Please contact the administrator</translation>
    </message>
    <message>
        <source>信任列表签名无效，已拒绝（离线核验仍用上一版）</source>
        <translation>Trust list signature invalid and refused (offline checks keep using the previous one)</translation>
    </message>
    <message>
        <source>信任列表警告</source>
        <translation>Trust list warning</translation>
    </message>
    <message>
        <source>信息脱敏程度</source>
        <translation>Masking level</translation>
    </message>
    <message>
        <source>修改核查登记</source>
        <translation>Edit anomaly record</translation>
    </message>
    <message>
        <source>修改核查登记（服务器版本）</source>
        <translation>Edit anomaly record (server version)</translation>
    </message>
    <message>
        <source>健康码</source>
        <translation>Health code</translation>
    </message>
    <message>
        <source>健康码尚未生效，请检查本机时间是否准确</source>
        <translation>Health code not valid yet; check this device's clock</translation>
    </message>
    <message>
        <source>健康码已过期，请刷新后重新出示</source>
        <translation>Health code expired; refresh it and show again</translation>
    </message>
    <message>
        <source>健康码有效期异常，无法核验</source>
        <translation>Health code validity is abnormal; cannot verify</translation>
    </message>
    <message>
        <source>健康码状态未知，无法核验</source>
        <translation>Health code status unknown; cannot verify</translation>
    </message>
    <message>
        <source>健康码签发方不在信任列表中，无法核验</source>
        <translation>Health code issuer not in the trust list; cannot verify</translation>
    </message>
    <message>
        <source>健康码签名无效，可能已被篡改</source>
        <translation>Health code signature invalid; it may be forged</translation>
    </message>
    <message>
        <source>健康通行</source>
        <translation>Passed</translation>
    </message>
    <message>
        <source>全选</source>
        <translation>Select all</translation>
    </message>
    <message>
        <source>全部卡口</source>
        <translation>All checkpoints</translation>
    </message>
    <message>
        <source>全部场所</source>
        <translation>All venues</translation>
    </message>
    <message>
        <source>共 {0} 个场所待审核</source>
        <translation>{0} venues awaiting review</translation>
    </message>
    <message>
        <source>共 {0} 人次未通过</source>
        <translation>{0} checks not passed</translation>
    </message>
    <message>
        <source>共享密钥</source>
        <translation>Shared secret</translation>
    </message>
    <message>
        <source>关联的核验记录</source>
        <translation>Linked check record</translation>
    </message>
    <message>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>关闭无法保存提示</source>
        <translation>Close "cannot save" notice</translation>
    </message>
    <message>
        <source>关闭登录保存提示</source>
        <translation>Close login storage notice</translation>
    </message>
    <message>
        <source>其中不同人员 {0} 人</source>
        <translation>{0} different people</translation>
    </message>
    <message>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>内容过长，不是个人健康码或证件号码</source>
        <translation>Too long to be a health code or ID number</translation>
    </message>
    <message>
        <source>再次输入</source>
        <translation>Repeat</translation>
    </message>
    <message>
        <source>再次输入新 PIN</source>
        <translation>Repeat the new PIN</translation>
    </message>
    <message>
        <source>再注册一个场所</source>
        <translation>Register another venue</translation>
    </message>
    <message>
        <source>切换到新服务器</source>
        <translation>Switch to the new server</translation>
    </message>
    <message>
        <source>切换场所或检查点</source>
        <translation>Switch venue or checkpoint</translation>
    </message>
    <message>
        <source>切换服务器</source>
        <translation>Switch server</translation>
    </message>
    <message>
        <source>切换检查点</source>
        <translation>Switch checkpoint</translation>
    </message>
    <message>
        <source>初始管理员</source>
        <translation>First admin</translation>
    </message>
    <message>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>删除子管理员</source>
        <translation>Delete staff member</translation>
    </message>
    <message>
        <source>删除检查点</source>
        <translation>Delete checkpoint</translation>
    </message>
    <message>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>劝返</source>
        <translation>Turn away</translation>
    </message>
    <message>
        <source>区划代码前两位应为大陆省份代码（如浙江 33）</source>
        <translation>The first two digits must be a mainland province code (e.g. Zhejiang 33)</translation>
    </message>
    <message>
        <source>区域监管</source>
        <translation>Region</translation>
    </message>
    <message>
        <source>区域监管 · {0}（{1}）</source>
        <translation>Region · {0} ({1})</translation>
    </message>
    <message>
        <source>区域监管分页</source>
        <translation>Region pages</translation>
    </message>
    <message>
        <source>区域监管提示</source>
        <translation>Region note</translation>
    </message>
    <message>
        <source>单位</source>
        <translation>Venue</translation>
    </message>
    <message>
        <source>卡口筛选</source>
        <translation>Checkpoint filter</translation>
    </message>
    <message>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>原因过长</source>
        <translation>Reason too long</translation>
    </message>
    <message>
        <source>原因：{0}</source>
        <translation>Reason: {0}</translation>
    </message>
    <message>
        <source>原地址</source>
        <translation>Previous address</translation>
    </message>
    <message>
        <source>县级区划代码</source>
        <translation>County area code</translation>
    </message>
    <message>
        <source>发热</source>
        <translation>Fever</translation>
    </message>
    <message>
        <source>发热标准（≥）</source>
        <translation>Fever from (≥)</translation>
    </message>
    <message>
        <source>发热标准（摄氏度）</source>
        <translation>Fever threshold (°C)</translation>
    </message>
    <message>
        <source>取值无效</source>
        <translation>Invalid value</translation>
    </message>
    <message>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>取消导出</source>
        <translation>Cancel export</translation>
    </message>
    <message>
        <source>取消注册</source>
        <translation>Cancel registration</translation>
    </message>
    <message>
        <source>另有 {0} 条未上传的记录来自同一服务器的旧数据文件，已并入并将上传。</source>
        <translation>{0} more unsent records from an old data file of the same server were merged and will be uploaded.</translation>
    </message>
    <message>
        <source>台湾居民来往大陆通行证</source>
        <translation>Taiwan travel permit</translation>
    </message>
    <message>
        <source>号码有效，可以核验</source>
        <translation>Valid number; ready to check</translation>
    </message>
    <message>
        <source>号码校验提示</source>
        <translation>Number check note</translation>
    </message>
    <message>
        <source>号码连续（疑似逐个试号）</source>
        <translation>Sequential numbers (suspected guessing)</translation>
    </message>
    <message>
        <source>合计</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>合计：已核验 {0} 人次 · 通行 {1} · 人工核验 {2} · 异常 {3} · {4} 人</source>
        <translation>Total: {0} checks · pass {1} · manual {2} · abnormal {3} · {4} people</translation>
    </message>
    <message>
        <source>同步出错，稍后自动重试</source>
        <translation>Sync failed; retrying automatically</translation>
    </message>
    <message>
        <source>同步提示</source>
        <translation>Sync note</translation>
    </message>
    <message>
        <source>同步状态</source>
        <translation>Sync status</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>向右滚动</source>
        <translation>Scroll right</translation>
    </message>
    <message>
        <source>向右滚动页签</source>
        <translation>Scroll tabs right</translation>
    </message>
    <message>
        <source>向左滚动</source>
        <translation>Scroll left</translation>
    </message>
    <message>
        <source>向左滚动页签</source>
        <translation>Scroll tabs left</translation>
    </message>
    <message>
        <source>启动时进入自助模式</source>
        <translation>Start in kiosk mode</translation>
    </message>
    <message>
        <source>启动状态</source>
        <translation>Start-up status</translation>
    </message>
    <message>
        <source>呼叫 120</source>
        <translation>Called 120</translation>
    </message>
    <message>
        <source>和 {0} 条核查登记</source>
        <translation> and {0} anomaly records</translation>
    </message>
    <message>
        <source>回调地址</source>
        <translation>Callback URL</translation>
    </message>
    <message>
        <source>图片</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>图片文件夹 {0}</source>
        <translation>Image folder {0}</translation>
    </message>
    <message>
        <source>图表范围</source>
        <translation>Chart range</translation>
    </message>
    <message>
        <source>图表：{0}</source>
        <translation>Chart: {0}</translation>
    </message>
    <message>
        <source>图表：全区域（{0}）</source>
        <translation>Chart: whole region ({0})</translation>
    </message>
    <message>
        <source>在线</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>在线核验</source>
        <translation>Checked online</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>场所</source>
        <translation>Venue</translation>
    </message>
    <message>
        <source>场所名称</source>
        <translation>Venue name</translation>
    </message>
    <message>
        <source>场所审核状态</source>
        <translation>Venue review status</translation>
    </message>
    <message>
        <source>场所尚待所在乡镇街道审核，暂不能查询证件信息</source>
        <translation>Venue awaits township review; ID lookups are not possible yet</translation>
    </message>
    <message>
        <source>场所未通过乡镇街道审核，不能查询证件信息</source>
        <translation>Venue rejected by the township; ID lookups are not possible</translation>
    </message>
    <message>
        <source>场所码</source>
        <translation>Venue code</translation>
    </message>
    <message>
        <source>场所码.png</source>
        <translation>venue-code.png</translation>
    </message>
    <message>
        <source>场所码图片</source>
        <translation>Venue code image</translation>
    </message>
    <message>
        <source>场所码提示</source>
        <translation>Venue code note</translation>
    </message>
    <message>
        <source>场所码海报.pdf</source>
        <translation>venue-code-poster.pdf</translation>
    </message>
    <message>
        <source>场所码警告</source>
        <translation>Venue code warning</translation>
    </message>
    <message>
        <source>场所码链接</source>
        <translation>Venue code link</translation>
    </message>
    <message>
        <source>场所管理</source>
        <translation>Venue admin</translation>
    </message>
    <message>
        <source>场所管理 · {0}</source>
        <translation>Venue admin · {0}</translation>
    </message>
    <message>
        <source>场所管理分页</source>
        <translation>Venue admin pages</translation>
    </message>
    <message>
        <source>场所管理提示</source>
        <translation>Venue admin note</translation>
    </message>
    <message>
        <source>场所类型</source>
        <translation>Venue type</translation>
    </message>
    <message>
        <source>场所统计</source>
        <translation>Venue statistics</translation>
    </message>
    <message>
        <source>场所统计表</source>
        <translation>Venue statistics table</translation>
    </message>
    <message>
        <source>场所要求全程接种</source>
        <translation>Venue requires full vaccination</translation>
    </message>
    <message>
        <source>场所要求加强免疫</source>
        <translation>Venue requires a booster</translation>
    </message>
    <message>
        <source>场所负责人的真实姓名</source>
        <translation>The owner's real name</translation>
    </message>
    <message>
        <source>场所负责人自行注册的场所需经本乡镇街道审核：审核通过前可添加工作人员、打印场所码、接受访客自助登记，但不能查询证件信息。代为注册的场所无需审核。</source>
        <translation>Venues registered by their owners need review by their township: before approval they can add staff, print venue codes and take visitor self check-ins, but cannot look up ID numbers. Venues registered for an owner need no review.</translation>
    </message>
    <message>
        <source>场所：{0}</source>
        <translation>Venue: {0}</translation>
    </message>
    <message>
        <source>填写</source>
        <translation>Enter</translation>
    </message>
    <message>
        <source>填写抵达时间</source>
        <translation>Enter arrival time</translation>
    </message>
    <message>
        <source>处置</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>处置方式</source>
        <translation>Action taken</translation>
    </message>
    <message>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>外国人永久居留身份证</source>
        <translation>Foreign permanent resident ID</translation>
    </message>
    <message>
        <source>多次超出查询限额</source>
        <translation>Lookup limit exceeded repeatedly</translation>
    </message>
    <message>
        <source>如：南明街道</source>
        <translation>e.g. Nanming Subdistrict</translation>
    </message>
    <message>
        <source>如：南门、北门、地下车库</source>
        <translation>e.g. South gate, North gate, Car park</translation>
    </message>
    <message>
        <source>如：新昌县城关农贸市场</source>
        <translation>e.g. Chengguan Farmers' Market, Xinchang</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>姓名：{0}</source>
        <translation>Name: {0}</translation>
    </message>
    <message>
        <source>子管理员</source>
        <translation>Staff</translation>
    </message>
    <message>
        <source>子管理员列表</source>
        <translation>Staff list</translation>
    </message>
    <message>
        <source>子管理员姓名</source>
        <translation>Staff name</translation>
    </message>
    <message>
        <source>子管理员手机号码</source>
        <translation>Staff mobile number</translation>
    </message>
    <message>
        <source>子管理员提示</source>
        <translation>Staff note</translation>
    </message>
    <message>
        <source>字体大小</source>
        <translation>Font size</translation>
    </message>
    <message>
        <source>守小门</source>
        <translation>Shoumen</translation>
    </message>
    <message>
        <source>守小门 · 场所核验</source>
        <translation>Shoumen · Venue checks</translation>
    </message>
    <message>
        <source>守小门 · 登录</source>
        <translation>Shoumen · Log in</translation>
    </message>
    <message>
        <source>守小门无法写入文件夹：{0}（{1}）。请检查这个文件夹的权限，或用 --data-dir 指定其他可写的文件夹。</source>
        <translation>Shoumen cannot write to the folder {0} ({1}). Check the folder’s permissions, or choose another writable folder with --data-dir.</translation>
    </message>
    <message>
        <source>守小门无法创建文件夹：{0}（{1}）。请检查这个文件夹的权限，或用 --data-dir 指定其他可写的文件夹。</source>
        <translation>Shoumen cannot create the folder {0} ({1}). Check the folder’s permissions, or choose another writable folder with --data-dir.</translation>
    </message>
    <message>
        <source>守小门无法启动</source>
        <translation>Shoumen cannot start</translation>
    </message>
    <message>
        <source>完整信息（查看已记录）</source>
        <translation>Full details (viewing is logged)</translation>
    </message>
    <message>
        <source>完整的姓名、证件号码和电话属于个人隐私，仅限流调溯源使用。本次查看将记入审计日志。确定查看？</source>
        <translation>Full name, ID number and phone are private and only for contact tracing. This view will be written to the audit log. View them?</translation>
    </message>
    <message>
        <source>审核提示</source>
        <translation>Review note</translation>
    </message>
    <message>
        <source>审核状态</source>
        <translation>Review status</translation>
    </message>
    <message>
        <source>审核状态：已通过</source>
        <translation>Review status: approved</translation>
    </message>
    <message>
        <source>审核状态：待审核。所在乡镇街道审核通过前，本场所不能查询证件信息；可以先添加子管理员、打印场所码海报，访客可扫场所码自助登记。</source>
        <translation>Review status: pending. Until your township approves, this venue cannot look up ID numbers; you can already add staff and print venue code posters, and visitors can check in by scanning the venue code.</translation>
    </message>
    <message>
        <source>审核状态：未通过。原因：{0}。请联系所在乡镇街道。</source>
        <translation>Review status: rejected. Reason: {0}. Please contact your township.</translation>
    </message>
    <message>
        <source>密钥保存失败，请重试</source>
        <translation>Could not save the secret; try again</translation>
    </message>
    <message>
        <source>导出内容为脱敏后的核验记录，每次导出都会记入审计日志。</source>
        <translation>The export holds masked check records; every export is written to the audit log.</translation>
    </message>
    <message>
        <source>导出场所码海报</source>
        <translation>Export venue code poster</translation>
    </message>
    <message>
        <source>导出完成：{0}（{1}）</source>
        <translation>Export finished: {0} ({1})</translation>
    </message>
    <message>
        <source>导出已取消</source>
        <translation>Export cancelled</translation>
    </message>
    <message>
        <source>导出已取消，未保存文件</source>
        <translation>Export cancelled; no file saved</translation>
    </message>
    <message>
        <source>导出核验记录</source>
        <translation>Export check records</translation>
    </message>
    <message>
        <source>导出核验记录（流调溯源）</source>
        <translation>Export check records (contact tracing)</translation>
    </message>
    <message>
        <source>导出海报</source>
        <translation>Export poster</translation>
    </message>
    <message>
        <source>导出状态</source>
        <translation>Export status</translation>
    </message>
    <message>
        <source>导出记录</source>
        <translation>Export records</translation>
    </message>
    <message>
        <source>导出进度</source>
        <translation>Export progress</translation>
    </message>
    <message>
        <source>将在保存后清除</source>
        <translation>Cleared when saved</translation>
    </message>
    <message>
        <source>尚未同步</source>
        <translation>Not synced yet</translation>
    </message>
    <message>
        <source>尚未选择</source>
        <translation>None chosen</translation>
    </message>
    <message>
        <source>居民身份证</source>
        <translation>Resident ID card</translation>
    </message>
    <message>
        <source>工作人员核实放行</source>
        <translation>Staff verified and let in</translation>
    </message>
    <message>
        <source>工作台页面</source>
        <translation>Workbench pages</translation>
    </message>
    <message>
        <source>已为 {0} 注册“{1}”。负责人用手机号 {2} 登录即可接管。可在下方为其打印场所码海报。</source>
        <translation>Registered "{1}" for {0}. The owner takes over by logging in with {2}. You can print its venue code poster below.</translation>
    </message>
    <message>
        <source>已为“{0}”新建绑定码：请在设备的登录页点“设备绑定”输入或扫描。</source>
        <translation>Enrolment code created for “{0}”: on the device’s login page, tap “Enrol device” and type or scan it.</translation>
    </message>
    <message>
        <source>已保存{0}：{1}</source>
        <translation>Saved {0}: {1}</translation>
    </message>
    <message>
        <source>已保存。本场所的所有核验设备会在下次同步时（约 1 分钟内）采用新规则。</source>
        <translation>Saved. All check devices of this venue use the new rules at their next sync (within about 1 minute).</translation>
    </message>
    <message>
        <source>已保存的闸机设置有误（{0}），已改用默认值，请检查后保存</source>
        <translation>The saved gate settings are invalid ({0}); defaults are used, please check and save</translation>
    </message>
    <message>
        <source>已保存（输入新值即替换）</source>
        <translation>Saved (type a new value to replace)</translation>
    </message>
    <message>
        <source>已关联核验记录：{0} {1}</source>
        <translation>Linked check: {0} {1}</translation>
    </message>
    <message>
        <source>已删除检查点：{0}</source>
        <translation>Checkpoint deleted: {0}</translation>
    </message>
    <message>
        <source>已删除：{0}</source>
        <translation>Deleted: {0}</translation>
    </message>
    <message>
        <source>已加强免疫</source>
        <translation>Booster received</translation>
    </message>
    <message>
        <source>已发送到打印机</source>
        <translation>Sent to the printer</translation>
    </message>
    <message>
        <source>已完成全程接种</source>
        <translation>Fully vaccinated</translation>
    </message>
    <message>
        <source>已将“{0}”改名为“{1}”</source>
        <translation>Renamed "{0}" to "{1}"</translation>
    </message>
    <message>
        <source>已将“{0}”退回：未通过审核</source>
        <translation>Rejected "{0}"</translation>
    </message>
    <message>
        <source>已开闸</source>
        <translation>Gate opened</translation>
    </message>
    <message>
        <source>已开闸（人工放行）</source>
        <translation>Gate opened (let in by hand)</translation>
    </message>
    <message>
        <source>已开闸，但闸机未能复位，请立即检查闸机</source>
        <translation>Gate opened but did not reset; check the gate now</translation>
    </message>
    <message>
        <source>已恢复 {0} 的核验权限</source>
        <translation>Restored {0}'s access</translation>
    </message>
    <message>
        <source>已手动开闸</source>
        <translation>Gate opened by hand</translation>
    </message>
    <message>
        <source>已报告给</source>
        <translation>Reported to</translation>
    </message>
    <message>
        <source>已授权</source>
        <translation>Authorised</translation>
    </message>
    <message>
        <source>已接收 {0}…</source>
        <translation>Received {0}…</translation>
    </message>
    <message>
        <source>已收回</source>
        <translation>Revoked</translation>
    </message>
    <message>
        <source>已收回 {0} 的核验权限</source>
        <translation>Revoked {0}'s access</translation>
    </message>
    <message>
        <source>已有同名的文件</source>
        <translation>a file of that name already exists</translation>
    </message>
    <message>
        <source>已有名为“{0}”的检查点</source>
        <translation>A checkpoint named "{0}" exists already</translation>
    </message>
    <message>
        <source>已核验</source>
        <translation>Checked</translation>
    </message>
    <message>
        <source>已添加检查点：{0}</source>
        <translation>Checkpoint added: {0}</translation>
    </message>
    <message>
        <source>已添加：{0}（{1}）</source>
        <translation>Added: {0} ({1})</translation>
    </message>
    <message>
        <source>已登记</source>
        <translation>Recorded</translation>
    </message>
    <message>
        <source>已登记（待同步）</source>
        <translation>Recorded (to sync)</translation>
    </message>
    <message>
        <source>已绑定设备列表</source>
        <translation>Enrolled devices</translation>
    </message>
    <message>
        <source>已解除“{0}”的绑定</source>
        <translation>“{0}” is no longer enrolled</translation>
    </message>
    <message>
        <source>已解除绑定</source>
        <translation>Revoked</translation>
    </message>
    <message>
        <source>已记录本次查看。完整信息将在 {0} 秒后自动隐藏。</source>
        <translation>This view is logged. Full details hide in {0} s.</translation>
    </message>
    <message>
        <source>已记录：{0}</source>
        <translation>Recorded: {0}</translation>
    </message>
    <message>
        <source>已设置 PIN</source>
        <translation>PIN set</translation>
    </message>
    <message>
        <source>已选场所类型</source>
        <translation>Chosen venue type</translation>
    </message>
    <message>
        <source>已选：{0}</source>
        <translation>Chosen: {0}</translation>
    </message>
    <message>
        <source>已通过“{0}”的审核</source>
        <translation>Approved "{0}"</translation>
    </message>
    <message>
        <source>开始导出</source>
        <translation>Start export</translation>
    </message>
    <message>
        <source>开始日期</source>
        <translation>Start date</translation>
    </message>
    <message>
        <source>开闸</source>
        <translation>Open gate</translation>
    </message>
    <message>
        <source>开闸原因</source>
        <translation>Reason for opening</translation>
    </message>
    <message>
        <source>开闸时长</source>
        <translation>Open for</translation>
    </message>
    <message>
        <source>异常</source>
        <translation>Abnormal</translation>
    </message>
    <message>
        <source>异常人员 · {0}（双击一行查看或登记）</source>
        <translation>Abnormal visitors · {0} (double-click a row to view or record)</translation>
    </message>
    <message>
        <source>异常人员列表</source>
        <translation>Abnormal visitors list</translation>
    </message>
    <message>
        <source>异常人员（双击一行查看或登记）</source>
        <translation>Abnormal visitors (double-click a row to view or record)</translation>
    </message>
    <message>
        <source>异常人次</source>
        <translation>Abnormal checks</translation>
    </message>
    <message>
        <source>异常名单</source>
        <translation>Abnormal list</translation>
    </message>
    <message>
        <source>异常名单提示</source>
        <translation>Abnormal list note</translation>
    </message>
    <message>
        <source>异常类型</source>
        <translation>Anomaly type</translation>
    </message>
    <message>
        <source>引导至黄码采样点</source>
        <translation>Sent to yellow-code testing point</translation>
    </message>
    <message>
        <source>当前场所和检查点</source>
        <translation>Current venue and checkpoint</translation>
    </message>
    <message>
        <source>当前时间</source>
        <translation>Current time</translation>
    </message>
    <message>
        <source>当前离线：代为注册需要联网，请联网后重试</source>
        <translation>Offline: registering for an owner needs the network; connect and try again</translation>
    </message>
    <message>
        <source>当前离线：区域统计需要联网查看，请联网后刷新</source>
        <translation>Offline: region statistics need the network; connect and refresh</translation>
    </message>
    <message>
        <source>当前离线：场所管理需要联网，请联网后重试</source>
        <translation>Offline: venue admin needs the network; connect and try again</translation>
    </message>
    <message>
        <source>当前离线：子管理员只能在联网时管理，请联网后重试</source>
        <translation>Offline: staff can only be managed online; connect and try again</translation>
    </message>
    <message>
        <source>当前离线：审核场所需要联网，请联网后重试</source>
        <translation>Offline: reviewing venues needs the network; connect and try again</translation>
    </message>
    <message>
        <source>当前离线：导出需要联网，请联网后重试</source>
        <translation>Offline: exporting needs the network; connect and try again</translation>
    </message>
    <message>
        <source>当前离线：异常名单和登记详情需要联网查看</source>
        <translation>Offline: the abnormal list and record details need the network</translation>
    </message>
    <message>
        <source>当前离线：核验规则只能在联网时修改，请联网后重试</source>
        <translation>Offline: check rules can only be changed online; connect and try again</translation>
    </message>
    <message>
        <source>当前离线：检查点只能在联网时修改，请联网后重试</source>
        <translation>Offline: checkpoints can only be changed online; connect and try again</translation>
    </message>
    <message>
        <source>当前离线：设备只能在联网时管理，请联网后重试</source>
        <translation>Offline: devices can only be managed online. Connect and try again.</translation>
    </message>
    <message>
        <source>当天暂无检测</source>
        <translation>No checks that day</translation>
    </message>
    <message>
        <source>当日无核验</source>
        <translation>No checks that day</translation>
    </message>
    <message>
        <source>当日没有疑似批量查询的场所</source>
        <translation>No venues with suspected bulk lookups that day</translation>
    </message>
    <message>
        <source>录入证件号码</source>
        <translation>Enter ID number</translation>
    </message>
    <message>
        <source>待上传</source>
        <translation>Pending</translation>
    </message>
    <message>
        <source>待同步 {0}</source>
        <translation>{0} to sync</translation>
    </message>
    <message>
        <source>待同步数量</source>
        <translation>Records to sync</translation>
    </message>
    <message>
        <source>待审核场所</source>
        <translation>Venues to review</translation>
    </message>
    <message>
        <source>待审核场所表</source>
        <translation>Venues to review table</translation>
    </message>
    <message>
        <source>待审核场所（{0}）</source>
        <translation>Venues to review ({0})</translation>
    </message>
    <message>
        <source>待审核数量</source>
        <translation>Venues to review</translation>
    </message>
    <message>
        <source>待机画面</source>
        <translation>Idle screen</translation>
    </message>
    <message>
        <source>必须大于 {0}</source>
        <translation>Must be above {0}</translation>
    </message>
    <message>
        <source>必须小于 {0}</source>
        <translation>Must be below {0}</translation>
    </message>
    <message>
        <source>恢复授权</source>
        <translation>Restore access</translation>
    </message>
    <message>
        <source>恢复默认</source>
        <translation>Reset to defaults</translation>
    </message>
    <message>
        <source>您在以下场所的核验权限已被收回，请联系场所管理员。</source>
        <translation>Your access to these venues was revoked; please contact the venue admin.</translation>
    </message>
    <message>
        <source>您在多个场所有核验权限，请选择本机所在的场所。</source>
        <translation>You can check at several venues; choose the one this device is at.</translation>
    </message>
    <message>
        <source>您在本场所的核验权限已被收回</source>
        <translation>Your access to this venue was revoked</translation>
    </message>
    <message>
        <source>您在本场所的核验权限已被收回，新的核验记录无法上传，请联系场所管理员。</source>
        <translation>Your access to this venue was revoked; new check records cannot be uploaded. Please contact the venue admin.</translation>
    </message>
    <message>
        <source>您还没有可以核验的场所。请场所的初始管理员把您添加为子管理员后重新登录。</source>
        <translation>You have no venue to check at yet. Ask the venue's first admin to add you as staff, then log in again.</translation>
    </message>
    <message>
        <source>情况说明最多 {0} 字</source>
        <translation>Notes: at most {0} characters</translation>
    </message>
    <message>
        <source>截至 {0}</source>
        <translation>As of {0}</translation>
    </message>
    <message>
        <source>手动开闸</source>
        <translation>Open gate by hand</translation>
    </message>
    <message>
        <source>手动开闸原因</source>
        <translation>Reason for opening by hand</translation>
    </message>
    <message>
        <source>手动开闸结果</source>
        <translation>Manual opening result</translation>
    </message>
    <message>
        <source>手动开闸（无核验记录的访客）</source>
        <translation>Open gate by hand (visitor without a check)</translation>
    </message>
    <message>
        <source>手动开闸（需填写原因）</source>
        <translation>Open gate by hand (reason required)</translation>
    </message>
    <message>
        <source>手机号码</source>
        <translation>Mobile number</translation>
    </message>
    <message>
        <source>手机号码应为 11 位大陆手机号，如 13800138000</source>
        <translation>Enter an 11-digit mainland mobile number, e.g. 13800138000</translation>
    </message>
    <message>
        <source>手机号码格式不正确</source>
        <translation>Invalid mobile number</translation>
    </message>
    <message>
        <source>手机验证码</source>
        <translation>SMS code</translation>
    </message>
    <message>
        <source>打印</source>
        <translation>Print</translation>
    </message>
    <message>
        <source>打印场所码</source>
        <translation>Print venue code</translation>
    </message>
    <message>
        <source>扫到的不是个人健康码，请访客出示本人的个人健康码</source>
        <translation>Not a personal health code; ask the visitor for their own health code</translation>
    </message>
    <message>
        <source>扫到的是网址二维码，不是个人健康码。请访客出示本人的个人健康码</source>
        <translation>This is a web link QR code, not a health code; ask the visitor for their own health code</translation>
    </message>
    <message>
        <source>扫码功能出错，已停止；请使用证件录入</source>
        <translation>Scanning failed and stopped; use ID entry</translation>
    </message>
    <message>
        <source>扫码功能暂时不可用</source>
        <translation>Scanning is unavailable for now</translation>
    </message>
    <message>
        <source>扫码已停止</source>
        <translation>Scanning stopped</translation>
    </message>
    <message>
        <source>扫码提示</source>
        <translation>Scan note</translation>
    </message>
    <message>
        <source>扫码状态</source>
        <translation>Scan status</translation>
    </message>
    <message>
        <source>找不到证书颁发机构（CA）文件：{0}</source>
        <translation>CA file not found: {0}</translation>
    </message>
    <message>
        <source>找不到该核验记录，闸机未开</source>
        <translation>Check record not found; gate not opened</translation>
    </message>
    <message>
        <source>护照</source>
        <translation>Passport</translation>
    </message>
    <message>
        <source>报告对象</source>
        <translation>Reported to</translation>
    </message>
    <message>
        <source>报告社区</source>
        <translation>Reported to community</translation>
    </message>
    <message>
        <source>抵达时间</source>
        <translation>Arrival time</translation>
    </message>
    <message>
        <source>接种信息未知</source>
        <translation>Vaccination unknown</translation>
    </message>
    <message>
        <source>提交注册</source>
        <translation>Submit</translation>
    </message>
    <message>
        <source>提示</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>提示音</source>
        <translation>Sound</translation>
    </message>
    <message>
        <source>提示音方式</source>
        <translation>Sound style</translation>
    </message>
    <message>
        <source>摄像头</source>
        <translation>Camera</translation>
    </message>
    <message>
        <source>摄像头 {0}</source>
        <translation>Camera {0}</translation>
    </message>
    <message>
        <source>摄像头已重新连接</source>
        <translation>Camera reconnected</translation>
    </message>
    <message>
        <source>摄像头扫码</source>
        <translation>Camera scanning</translation>
    </message>
    <message>
        <source>摄像头画面</source>
        <translation>Camera view</translation>
    </message>
    <message>
        <source>摄像头连接已断开，请检查后重试</source>
        <translation>Camera disconnected; check it and try again</translation>
    </message>
    <message>
        <source>操作失败，请稍后重试</source>
        <translation>Operation failed; try again later</translation>
    </message>
    <message>
        <source>操作过于频繁，请稍后再试</source>
        <translation>Too many requests; try again later</translation>
    </message>
    <message>
        <source>收回权限</source>
        <translation>Revoke</translation>
    </message>
    <message>
        <source>收回核验权限</source>
        <translation>Revoke access</translation>
    </message>
    <message>
        <source>改名</source>
        <translation>Rename</translation>
    </message>
    <message>
        <source>放弃并关闭</source>
        <translation>Discard and close</translation>
    </message>
    <message>
        <source>放行（已做传统纸质登记）</source>
        <translation>Let in (paper record made)</translation>
    </message>
    <message>
        <source>数据时间</source>
        <translation>Data time</translation>
    </message>
    <message>
        <source>整个场所（{0}）</source>
        <translation>Whole venue ({0})</translation>
    </message>
    <message>
        <source>文件名太长</source>
        <translation>the file name is too long</translation>
    </message>
    <message>
        <source>文件夹不存在</source>
        <translation>the folder does not exist</translation>
    </message>
    <message>
        <source>新 PIN</source>
        <translation>New PIN</translation>
    </message>
    <message>
        <source>新 PIN 已设置，保存设置后生效。</source>
        <translation>New PIN set; takes effect when the settings are saved.</translation>
    </message>
    <message>
        <source>新建核查登记</source>
        <translation>New anomaly record</translation>
    </message>
    <message>
        <source>新建登记</source>
        <translation>New record</translation>
    </message>
    <message>
        <source>新建绑定码</source>
        <translation>New enrolment code</translation>
    </message>
    <message>
        <source>无</source>
        <translation>None</translation>
    </message>
    <message>
        <source>无手机无证件</source>
        <translation>No phone, no ID</translation>
    </message>
    <message>
        <source>无操作多久后显示待机画面（秒）</source>
        <translation>Idle screen after (s) without input</translation>
    </message>
    <message>
        <source>无数据</source>
        <translation>No data</translation>
    </message>
    <message>
        <source>无智能手机且无证件号码</source>
        <translation>No smartphone and no ID number</translation>
    </message>
    <message>
        <source>无核酸记录</source>
        <translation>No NAT record</translation>
    </message>
    <message>
        <source>无法保存</source>
        <translation>Cannot save</translation>
    </message>
    <message>
        <source>无法保存文件，请选择其他位置</source>
        <translation>Cannot save the file; choose another location</translation>
    </message>
    <message>
        <source>无法保存的原因</source>
        <translation>Why it cannot save</translation>
    </message>
    <message>
        <source>无法保存：本机存储出错，请人工核验并联系管理员</source>
        <translation>Cannot save: storage error. Check by hand and contact the admin</translation>
    </message>
    <message>
        <source>无法保存：本机存储已满，请人工核验并联系管理员</source>
        <translation>Cannot save: storage full. Check by hand and contact the admin</translation>
    </message>
    <message>
        <source>无法保存：本机存储读写故障，请人工核验并联系管理员</source>
        <translation>Cannot save: storage read/write failure. Check by hand and contact the admin</translation>
    </message>
    <message>
        <source>无法保存：本机数据目录只读，请人工核验并联系管理员</source>
        <translation>Cannot save: data folder is read-only. Check by hand and contact the admin</translation>
    </message>
    <message>
        <source>无法打印：打印机不可用</source>
        <translation>Cannot print: printer unavailable</translation>
    </message>
    <message>
        <source>无法打开视频来源</source>
        <translation>Cannot open the video source</translation>
    </message>
    <message>
        <source>无法核验</source>
        <translation>Cannot verify</translation>
    </message>
    <message>
        <source>无法读取本机剩余空间</source>
        <translation>Cannot read the free space on this device</translation>
    </message>
    <message>
        <source>无法读取证书颁发机构（CA）文件：{0}</source>
        <translation>Cannot read the CA file: {0}</translation>
    </message>
    <message>
        <source>无法连接服务器，已切换到离线模式</source>
        <translation>Cannot reach the server; switched to offline mode</translation>
    </message>
    <message>
        <source>无法连接服务器，请检查网络后再登录</source>
        <translation>Cannot reach the server; check the network and log in again</translation>
    </message>
    <message>
        <source>无法连接服务器，请联网后再绑定</source>
        <translation>Cannot reach the server. Connect to the network and enrol again.</translation>
    </message>
    <message>
        <source>无法连接服务器：取得场所码需要联网，请联网后重试</source>
        <translation>Cannot reach the server: the venue code needs the network; connect and try again</translation>
    </message>
    <message>
        <source>无法连接服务器：注册场所需要联网，请检查网络后重试</source>
        <translation>Cannot reach the server: registering a venue needs the network; check the network and try again</translation>
    </message>
    <message>
        <source>无电话原因</source>
        <translation>Reason for no phone</translation>
    </message>
    <message>
        <source>无联系电话的原因</source>
        <translation>Reason for no contact phone</translation>
    </message>
    <message>
        <source>日期范围</source>
        <translation>Date range</translation>
    </message>
    <message>
        <source>时</source>
        <translation>h</translation>
    </message>
    <message>
        <source>时钟偏差警告</source>
        <translation>Clock warning</translation>
    </message>
    <message>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>昨天</source>
        <translation>Yesterday</translation>
    </message>
    <message>
        <source>显示与声音</source>
        <translation>Display and sound</translation>
    </message>
    <message>
        <source>暂不决定</source>
        <translation>Decide later</translation>
    </message>
    <message>
        <source>暂不决定，清除此结果（记为未决定）</source>
        <translation>Decide later: clear this result (recorded as undecided)</translation>
    </message>
    <message>
        <source>暂不切换</source>
        <translation>Don't switch</translation>
    </message>
    <message>
        <source>暂存的核验记录</source>
        <translation>Records held in memory</translation>
    </message>
    <message>
        <source>最后查询</source>
        <translation>Last lookup</translation>
    </message>
    <message>
        <source>最后核验</source>
        <translation>Last check</translation>
    </message>
    <message>
        <source>最多 {0} 个字</source>
        <translation>At most {0} characters</translation>
    </message>
    <message>
        <source>最近联系</source>
        <translation>Last seen</translation>
    </message>
    <message>
        <source>服务器不是演示模式，无法自动登录</source>
        <translation>The server is not in demo mode; cannot log in automatically</translation>
    </message>
    <message>
        <source>服务器地址</source>
        <translation>Server address</translation>
    </message>
    <message>
        <source>服务器地址已改为 {0}，与之前的 {1} 是同一台服务器：本机数据和待同步记录继续使用。</source>
        <translation>The server address changed to {0}; it is the same server as {1}: this device's data and unsent records stay in use.</translation>
    </message>
    <message>
        <source>服务器拒绝了这条登记：{0}。修改后可重新保存。</source>
        <translation>The server rejected this record: {0}. Edit it and save again.</translation>
    </message>
    <message>
        <source>服务器拒绝查询</source>
        <translation>Server refused the lookup</translation>
    </message>
    <message>
        <source>服务器数据已重置，已重新同步全部记录</source>
        <translation>Server data was reset; all records were synced again</translation>
    </message>
    <message>
        <source>服务器暂时无法处理请求，请稍后重试</source>
        <translation>The server cannot handle the request now; try again later</translation>
    </message>
    <message>
        <source>服务器的信任根已更换为 {root}（由原信任根签署交接）</source>
        <translation>The server's trust root changed to {root} (handed over by the previous root)</translation>
    </message>
    <message>
        <source>服务器繁忙，稍后自动重试</source>
        <translation>Server busy; retrying automatically</translation>
    </message>
    <message>
        <source>服务器证书不受信任，已拒绝连接：证书不是由本机配置的证书颁发机构（CA）签发的。请检查 CA 文件（--ca 或设置中的 CA 文件）和服务器地址，或联系管理员。</source>
        <translation>Server certificate not trusted; connection refused: the certificate was not issued by the CA configured on this device. Check the CA file (--ca or the CA file in Settings) and the server address, or contact the admin.</translation>
    </message>
    <message>
        <source>服务器返回了无法识别的数据</source>
        <translation>The server sent data this app cannot read</translation>
    </message>
    <message>
        <source>未关联核验记录：可先扫码或录入证件号码核验，无智能手机且无证件的访客请直接填写</source>
        <translation>No check linked: scan or enter an ID number first; for visitors with neither a smartphone nor an ID, just fill in the form</translation>
    </message>
    <message>
        <source>未切换服务器：上次使用的服务器（{0}）还有 {1} 条记录未上传。请把服务器地址改回原地址后重新启动，或点击重试后选择切换。</source>
        <translation>Server not switched: the previous server ({0}) still has {1} unsent records. Change the server address back and restart, or press Retry and choose to switch.</translation>
    </message>
    <message>
        <source>未启用摄像头扫码；可使用证件录入或扫码枪</source>
        <translation>Camera scanning is off; use ID entry or a handheld scanner</translation>
    </message>
    <message>
        <source>未完成全程接种</source>
        <translation>Not fully vaccinated</translation>
    </message>
    <message>
        <source>未接种</source>
        <translation>Not vaccinated</translation>
    </message>
    <message>
        <source>未查询到该证件的健康信息，请人工核验</source>
        <translation>No health data found for this ID; check by hand</translation>
    </message>
    <message>
        <source>未检测到摄像头</source>
        <translation>No camera found</translation>
    </message>
    <message>
        <source>未测可不填，如 37.5</source>
        <translation>Optional if not measured, e.g. 37.5</translation>
    </message>
    <message>
        <source>未申领健康码</source>
        <translation>No health code</translation>
    </message>
    <message>
        <source>未申领本地健康码</source>
        <translation>No local health code</translation>
    </message>
    <message>
        <source>未申领本地健康码的处理</source>
        <translation>If no local health code</translation>
    </message>
    <message>
        <source>未申领本地健康码（外省来新）</source>
        <translation>No local health code (from another province)</translation>
    </message>
    <message>
        <source>未申领本地健康码（本场所允许通行）</source>
        <translation>No local health code (allowed at this venue)</translation>
    </message>
    <message>
        <source>未申领本地健康码，无法核验</source>
        <translation>No local health code; cannot verify</translation>
    </message>
    <message>
        <source>未申领本地健康码，请人工核验外省健康码和行程卡</source>
        <translation>No local health code; check the other province's health code and travel card by hand</translation>
    </message>
    <message>
        <source>未留电话时填写，如：老人无手机</source>
        <translation>If no phone, say why, e.g. elderly, no mobile</translation>
    </message>
    <message>
        <source>未登记</source>
        <translation>Not recorded</translation>
    </message>
    <message>
        <source>未知</source>
        <translation>Unknown</translation>
    </message>
    <message>
        <source>未知号码</source>
        <translation>Unknown numbers</translation>
    </message>
    <message>
        <source>未知号码多</source>
        <translation>Many unknown numbers</translation>
    </message>
    <message>
        <source>未记录人工放行，闸机未开</source>
        <translation>No "Let in" recorded; gate not opened</translation>
    </message>
    <message>
        <source>未设置</source>
        <translation>Not set</translation>
    </message>
    <message>
        <source>未设置 PIN</source>
        <translation>No PIN set</translation>
    </message>
    <message>
        <source>未说明</source>
        <translation>Not given</translation>
    </message>
    <message>
        <source>未读取到内容，请重新扫码或输入证件号码</source>
        <translation>Nothing read; scan again or enter the ID number</translation>
    </message>
    <message>
        <source>未通行，闸机保持关闭</source>
        <translation>Not passed; gate stays closed</translation>
    </message>
    <message>
        <source>未配置闸机</source>
        <translation>No gate configured</translation>
    </message>
    <message>
        <source>本场所待审核：所在乡镇街道审核通过前不能查询证件信息，核验将显示“无法核验”。审核期间可以添加工作人员、打印场所码。</source>
        <translation>This venue awaits review: until your township approves it, ID numbers cannot be looked up and checks show "Cannot verify". You can already add staff and print venue codes.</translation>
    </message>
    <message>
        <source>本场所未通过乡镇街道审核，不能查询证件信息。原因：{0}</source>
        <translation>This venue was rejected by the township and cannot look up ID numbers. Reason: {0}</translation>
    </message>
    <message>
        <source>本场所要求测体温</source>
        <translation>This venue takes temperatures</translation>
    </message>
    <message>
        <source>本场所要求测体温：体温栏常驻证件键盘旁</source>
        <translation>This venue takes temperatures: keep the temperature field next to the ID pad</translation>
    </message>
    <message>
        <source>本机存储空间</source>
        <translation>Device storage</translation>
    </message>
    <message>
        <source>本机存储空间不足：剩余 {0}</source>
        <translation>Device storage low: {0} left</translation>
    </message>
    <message>
        <source>本机尚未取得服务器的加密公钥，暂不能保存姓名和电话：请联网同步一次后再保存</source>
        <translation>This device has no server encryption key yet, so name and phone cannot be saved: sync once online, then save</translation>
    </message>
    <message>
        <source>本机数据文件已修复</source>
        <translation>The data file on this device was repaired</translation>
    </message>
    <message>
        <source>本机数据文件已损坏，已另存为 {0}，已恢复 {1} 条未上传的核验记录</source>
        <translation>The data file on this device was damaged and set aside as {0}; {1} unsent check records were recovered</translation>
    </message>
    <message>
        <source>本机数据文件已损坏，正在恢复未上传的记录…</source>
        <translation>The data file on this device is damaged; recovering unsent records…</translation>
    </message>
    <message>
        <source>本机数据文件无法使用，请联系管理员</source>
        <translation>The data file on this device cannot be used; contact the admin</translation>
    </message>
    <message>
        <source>本机时钟比服务器快约 {0} 分钟，核酸时效判断可能不准，请校准系统时间。</source>
        <translation>This device's clock is about {0} min ahead of the server; NAT time limits may be wrong. Please set the system time.</translation>
    </message>
    <message>
        <source>本机时钟比服务器慢约 {0} 分钟，核酸时效判断可能不准，请校准系统时间。</source>
        <translation>This device's clock is about {0} min behind the server; NAT time limits may be wrong. Please set the system time.</translation>
    </message>
    <message>
        <source>本机时间与服务器相差约 {minutes} 分钟，请校准时间</source>
        <translation>Device time differs from the server by about {minutes} min; please set the time</translation>
    </message>
    <message>
        <source>本机没有信任列表，无法离线核验，请联网同步</source>
        <translation>No trust list on this device; cannot verify offline. Connect to sync</translation>
    </message>
    <message>
        <source>本机没有可用的系统钥匙串：登录状态和闸机密钥只保存在本次运行中，重启程序后需要重新登录，并在设置中重新填写闸机密钥。</source>
        <translation>No system keyring on this device: the login and gate secrets are kept for this run only. After a restart, log in again and re-enter the gate secrets in Settings.</translation>
    </message>
    <message>
        <source>本机没有可用的系统钥匙串：设备凭据只保存在内存中，本次运行期间有效；重新启动后需要重新绑定。如需开机自动恢复，请为系统配置钥匙串服务。</source>
        <translation>This computer has no system keyring: the device credential is kept in memory and lasts until the app closes; after a restart the device must be enrolled again. To resume automatically, set up a keyring service.</translation>
    </message>
    <message>
        <source>本机演示</source>
        <translation>Local demo</translation>
    </message>
    <message>
        <source>本机演示服务</source>
        <translation>Demo service on this computer</translation>
    </message>
    <message>
        <source>本机演示服务无法启动：{0}</source>
        <translation>The local demo service cannot start: {0}</translation>
    </message>
    <message>
        <source>本机的修改与服务器冲突（{0}），未上传。</source>
        <translation>This device's change conflicts with the server ({0}); not uploaded.</translation>
    </message>
    <message>
        <source>本机设置</source>
        <translation>Device settings</translation>
    </message>
    <message>
        <source>本机还有 {0} 条记录未上传到上次使用的服务器（{1}）。现在的地址 {2} 是另一台服务器。
切换后这些记录仍保留在本机，不会删除，重新使用原服务器时会继续上传。是否切换？</source>
        <translation>{0} records on this device are not yet uploaded to the previous server ({1}). The address {2} is a different server.
After switching they stay on this device, are not deleted, and upload when you use the previous server again. Switch?</translation>
    </message>
    <message>
        <source>本次运行已有 {0} 条核验记录暂存在内存中，存储恢复后自动写入；请勿关闭程序。</source>
        <translation>{0} check records of this run are held in memory; they are saved once storage recovers. Do not close the program.</translation>
    </message>
    <message>
        <source>权限已收回</source>
        <translation>Access revoked</translation>
    </message>
    <message>
        <source>来源地</source>
        <translation>From</translation>
    </message>
    <message>
        <source>来访事由 / 情况说明</source>
        <translation>Purpose of visit / notes</translation>
    </message>
    <message>
        <source>来访事由或情况说明</source>
        <translation>Reason for the visit or notes</translation>
    </message>
    <message>
        <source>查看 / 登记</source>
        <translation>View / record</translation>
    </message>
    <message>
        <source>查看完整信息</source>
        <translation>View full details</translation>
    </message>
    <message>
        <source>查看当天的异常人员</source>
        <translation>Show the day's abnormal visitors</translation>
    </message>
    <message>
        <source>查询</source>
        <translation>Lookups</translation>
    </message>
    <message>
        <source>查询过于频繁，未能在线核验</source>
        <translation>Too many lookups; not checked online</translation>
    </message>
    <message>
        <source>查询过于频繁，请人工核验</source>
        <translation>Too many lookups; check by hand</translation>
    </message>
    <message>
        <source>查询预警</source>
        <translation>Lookup alerts</translation>
    </message>
    <message>
        <source>查询预警说明</source>
        <translation>Lookup alerts note</translation>
    </message>
    <message>
        <source>查询预警（{0}）</source>
        <translation>Lookup alerts ({0})</translation>
    </message>
    <message>
        <source>标准（张*，330624********1234）</source>
        <translation>Standard (Z*, 330624********1234)</translation>
    </message>
    <message>
        <source>校验位错误，请核对后重新输入</source>
        <translation>Check digit wrong; check the number and enter it again</translation>
    </message>
    <message>
        <source>核查登记</source>
        <translation>Anomaly record</translation>
    </message>
    <message>
        <source>核查登记填写到一半，尚未保存。关闭程序将丢失已填写的内容。</source>
        <translation>An anomaly record is half filled in and not saved. Closing the program loses it.</translation>
    </message>
    <message>
        <source>核查登记尚未保存</source>
        <translation>Anomaly record not saved</translation>
    </message>
    <message>
        <source>核查登记尚未保存，退出登录将丢失已填写的内容。
</source>
        <translation>The anomaly record is not saved; logging out loses what you typed.
</translation>
    </message>
    <message>
        <source>核酸 {hours} 小时前，超过 {window} 小时</source>
        <translation>NAT {hours} h ago, over {window} h</translation>
    </message>
    <message>
        <source>核酸有效期</source>
        <translation>NAT valid for</translation>
    </message>
    <message>
        <source>核酸检测</source>
        <translation>NAT</translation>
    </message>
    <message>
        <source>核酸结果待出</source>
        <translation>NAT result pending</translation>
    </message>
    <message>
        <source>核酸结果待出，采样 {hours} 小时前</source>
        <translation>NAT result pending, sampled {hours} h ago</translation>
    </message>
    <message>
        <source>核酸超时</source>
        <translation>NAT expired</translation>
    </message>
    <message>
        <source>核酸超时或无核酸记录</source>
        <translation>NAT expired or missing</translation>
    </message>
    <message>
        <source>核酸采样时间晚于当前时间</source>
        <translation>NAT sampling time is in the future</translation>
    </message>
    <message>
        <source>核酸采样超过 {window} 小时</source>
        <translation>NAT sampled over {window} h ago</translation>
    </message>
    <message>
        <source>核酸阳性</source>
        <translation>NAT positive</translation>
    </message>
    <message>
        <source>核酸阴性，但缺少采样时间</source>
        <translation>NAT negative, but sampling time missing</translation>
    </message>
    <message>
        <source>核酸阴性，采样 {hours} 小时前</source>
        <translation>NAT negative, sampled {hours} h ago</translation>
    </message>
    <message>
        <source>核验</source>
        <translation>Check</translation>
    </message>
    <message>
        <source>核验人次</source>
        <translation>Checks</translation>
    </message>
    <message>
        <source>核验工作台</source>
        <translation>Check workbench</translation>
    </message>
    <message>
        <source>核验并关联</source>
        <translation>Check and link</translation>
    </message>
    <message>
        <source>核验结果</source>
        <translation>Check result</translation>
    </message>
    <message>
        <source>核验结果播放提示音</source>
        <translation>Play a tone for each result</translation>
    </message>
    <message>
        <source>核验结论</source>
        <translation>Verdict</translation>
    </message>
    <message>
        <source>核验规则</source>
        <translation>Check rules</translation>
    </message>
    <message>
        <source>核验规则提示</source>
        <translation>Check rules note</translation>
    </message>
    <message>
        <source>核验记录无法保存</source>
        <translation>Check record cannot be saved</translation>
    </message>
    <message>
        <source>核验记录（已脱敏）</source>
        <translation>Check records (masked)</translation>
    </message>
    <message>
        <source>核验证件</source>
        <translation>Check ID</translation>
    </message>
    <message>
        <source>核验证件并关联核验记录</source>
        <translation>Check the ID and link the check record</translation>
    </message>
    <message>
        <source>格式</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>检查点</source>
        <translation>Checkpoint</translation>
    </message>
    <message>
        <source>检查点列表</source>
        <translation>Checkpoint list</translation>
    </message>
    <message>
        <source>检查点名称</source>
        <translation>Checkpoint name</translation>
    </message>
    <message>
        <source>检查点提示</source>
        <translation>Checkpoint note</translation>
    </message>
    <message>
        <source>检查点说明</source>
        <translation>Checkpoint help</translation>
    </message>
    <message>
        <source>检查点：</source>
        <translation>Checkpoint:</translation>
    </message>
    <message>
        <source>检查点：{0}</source>
        <translation>Checkpoint: {0}</translation>
    </message>
    <message>
        <source>检测人数</source>
        <translation>Checks</translation>
    </message>
    <message>
        <source>检测异常</source>
        <translation>Abnormal</translation>
    </message>
    <message>
        <source>检测异常：查看异常人员</source>
        <translation>Abnormal: view visitors</translation>
    </message>
    <message>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <source>正在修改已保存的登记{0}</source>
        <translation>Editing saved record {0}</translation>
    </message>
    <message>
        <source>正在取得场所码…</source>
        <translation>Getting the venue code…</translation>
    </message>
    <message>
        <source>正在取消…</source>
        <translation>Cancelling…</translation>
    </message>
    <message>
        <source>正在同步场所配置…</source>
        <translation>Syncing venue settings…</translation>
    </message>
    <message>
        <source>正在启动</source>
        <translation>Starting</translation>
    </message>
    <message>
        <source>正在启动…</source>
        <translation>Starting…</translation>
    </message>
    <message>
        <source>正在启动本机演示服务…</source>
        <translation>Starting the local demo service…</translation>
    </message>
    <message>
        <source>正在导出…</source>
        <translation>Exporting…</translation>
    </message>
    <message>
        <source>正在开闸…</source>
        <translation>Opening the gate…</translation>
    </message>
    <message>
        <source>正在恢复登录…</source>
        <translation>Restoring login…</translation>
    </message>
    <message>
        <source>正在打开{0}…</source>
        <translation>Opening {0}…</translation>
    </message>
    <message>
        <source>正在扫码：{0}</source>
        <translation>Scanning: {0}</translation>
    </message>
    <message>
        <source>正在提交…</source>
        <translation>Submitting…</translation>
    </message>
    <message>
        <source>正在核验…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>正在注册…</source>
        <translation>Registering…</translation>
    </message>
    <message>
        <source>正在测试闸机连接…</source>
        <translation>Testing the gate connection…</translation>
    </message>
    <message>
        <source>正在登录…</source>
        <translation>Logging in…</translation>
    </message>
    <message>
        <source>正在绑定…</source>
        <translation>Enrolling…</translation>
    </message>
    <message>
        <source>正在读取 {0} 的数据…</source>
        <translation>Reading the data of {0}…</translation>
    </message>
    <message>
        <source>正在读取 {0} 的统计…</source>
        <translation>Reading the statistics of {0}…</translation>
    </message>
    <message>
        <source>正在读取…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>正在读取场所信息…</source>
        <translation>Loading venue details…</translation>
    </message>
    <message>
        <source>正在读取子管理员…</source>
        <translation>Loading staff…</translation>
    </message>
    <message>
        <source>正在读取核验规则…</source>
        <translation>Loading check rules…</translation>
    </message>
    <message>
        <source>正在读取设备…</source>
        <translation>Loading devices…</translation>
    </message>
    <message>
        <source>正在载入服务器版本…</source>
        <translation>Loading the server's version…</translation>
    </message>
    <message>
        <source>正在载入登记…</source>
        <translation>Loading the record…</translation>
    </message>
    <message>
        <source>正在连接…（服务器响应较慢，请稍候）</source>
        <translation>Connecting… (the server is slow, please wait)</translation>
    </message>
    <message>
        <source>正在连接…：服务器这次没有及时响应，操作未完成，请稍后重试</source>
        <translation>Connecting…: the server did not answer in time; the action was not done, try again later</translation>
    </message>
    <message>
        <source>正常</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>此设备已被解除绑定，请联系场所负责人重新绑定</source>
        <translation>This device has been revoked. Ask the venue owner to enrol it again.</translation>
    </message>
    <message>
        <source>每个出入口一个检查点。选中一个检查点后可改名或删除；改名时在上面输入新名称。</source>
        <translation>One checkpoint per entrance. Select a checkpoint to rename or delete it; to rename, type the new name above.</translation>
    </message>
    <message>
        <source>每小时核验人次</source>
        <translation>Checks per hour</translation>
    </message>
    <message>
        <source>每小时检测人数</source>
        <translation>Checks per hour</translation>
    </message>
    <message>
        <source>每小时检测人数，最多 {0} 时 {1} 人</source>
        <translation>Checks per hour, peak {1} at {0}:00</translation>
    </message>
    <message>
        <source>没有写入权限</source>
        <translation>no permission to write</translation>
    </message>
    <message>
        <source>没有待审核的场所</source>
        <translation>No venues to review</translation>
    </message>
    <message>
        <source>没有权限执行此操作</source>
        <translation>You are not allowed to do this</translation>
    </message>
    <message>
        <source>波特率</source>
        <translation>Baud rate</translation>
    </message>
    <message>
        <source>注册场所</source>
        <translation>Register venue</translation>
    </message>
    <message>
        <source>注册场所 · 第 1 步（共 2 步）</source>
        <translation>Register venue · step 1 of 2</translation>
    </message>
    <message>
        <source>注册场所 · 第 {0} 步（共 2 步）</source>
        <translation>Register venue · step {0} of 2</translation>
    </message>
    <message>
        <source>注册成功：{0}</source>
        <translation>Registered: {0}</translation>
    </message>
    <message>
        <source>注册提示</source>
        <translation>Registration note</translation>
    </message>
    <message>
        <source>注册时间</source>
        <translation>Registered</translation>
    </message>
    <message>
        <source>测试结果</source>
        <translation>Test result</translation>
    </message>
    <message>
        <source>测试闸机</source>
        <translation>Test gate</translation>
    </message>
    <message>
        <source>测试闸机只检查连接，不会开闸。</source>
        <translation>Testing only checks the connection; the gate does not open.</translation>
    </message>
    <message>
        <source>测试闸机连接（不开闸）</source>
        <translation>Test gate connection (no opening)</translation>
    </message>
    <message>
        <source>海康门禁 (ISAPI)</source>
        <translation>Hikvision access control (ISAPI)</translation>
    </message>
    <message>
        <source>海报</source>
        <translation>Poster</translation>
    </message>
    <message>
        <source>添加</source>
        <translation>Add</translation>
    </message>
    <message>
        <source>添加子管理员</source>
        <translation>Add staff</translation>
    </message>
    <message>
        <source>添加子管理员：填写姓名和手机号码，对方用该手机号登录即可核验。</source>
        <translation>Add staff: enter name and mobile number; they log in with that number to check.</translation>
    </message>
    <message>
        <source>添加说明</source>
        <translation>Add note</translation>
    </message>
    <message>
        <source>清空</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>清除</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>清除 PIN</source>
        <translation>Clear PIN</translation>
    </message>
    <message>
        <source>清除{0}</source>
        <translation>Clear {0}</translation>
    </message>
    <message>
        <source>港澳台居住证</source>
        <translation>HK/Macau/Taiwan residence permit</translation>
    </message>
    <message>
        <source>港澳台居民居住证</source>
        <translation>HK/Macao/Taiwan residence permit</translation>
    </message>
    <message>
        <source>港澳台居民居住证号码有效，可以核验</source>
        <translation>Valid HK/Macao/Taiwan residence permit number; ready to check</translation>
    </message>
    <message>
        <source>港澳居民来往内地通行证</source>
        <translation>HK/Macao travel permit</translation>
    </message>
    <message>
        <source>演示服务器</source>
        <translation>Demo server</translation>
    </message>
    <message>
        <source>演示模式</source>
        <translation>Demo mode</translation>
    </message>
    <message>
        <source>演示账号</source>
        <translation>Demo accounts</translation>
    </message>
    <message>
        <source>演示账号（任选其一）：</source>
        <translation>Demo accounts (pick any):</translation>
    </message>
    <message>
        <source>演示验证码</source>
        <translation>Demo code</translation>
    </message>
    <message>
        <source>演示验证码：{0}</source>
        <translation>Demo code: {0}</translation>
    </message>
    <message>
        <source>点“选择…”选择保存位置</source>
        <translation>Press "Choose…" to pick a location</translation>
    </message>
    <message>
        <source>版本</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>用 PIN 退出</source>
        <translation>Exit with PIN</translation>
    </message>
    <message>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <source>用负责人的手机号注册。注册后，该手机号就是本场所的初始管理员，可以添加子管理员。</source>
        <translation>Register with the owner's mobile number. That number becomes the venue's first admin and can add staff.</translation>
    </message>
    <message>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>界面语言</source>
        <translation>Interface language</translation>
    </message>
    <message>
        <source>留空则保持：{0}</source>
        <translation>Leave empty to keep: {0}</translation>
    </message>
    <message>
        <source>疑似批量查询的场所</source>
        <translation>Venues with suspected bulk lookups</translation>
    </message>
    <message>
        <source>疫苗接种</source>
        <translation>Vaccination</translation>
    </message>
    <message>
        <source>疫苗接种要求</source>
        <translation>Vaccination required</translation>
    </message>
    <message>
        <source>登录</source>
        <translation>Log in</translation>
    </message>
    <message>
        <source>登录保存提示</source>
        <translation>Login storage note</translation>
    </message>
    <message>
        <source>登录已失效，请重新登录</source>
        <translation>Login expired; please log in again</translation>
    </message>
    <message>
        <source>登录已失效，请重新登录后继续同步</source>
        <translation>Login expired; log in again to continue syncing</translation>
    </message>
    <message>
        <source>登录提示</source>
        <translation>Login note</translation>
    </message>
    <message>
        <source>登记</source>
        <translation>Record</translation>
    </message>
    <message>
        <source>登记冲突，请处理</source>
        <translation>Record conflict; please resolve</translation>
    </message>
    <message>
        <source>登记已保存，将自动同步到服务器</source>
        <translation>Record saved; it syncs to the server automatically</translation>
    </message>
    <message>
        <source>登记提示</source>
        <translation>Record note</translation>
    </message>
    <message>
        <source>登记标题</source>
        <translation>Record title</translation>
    </message>
    <message>
        <source>登记校验提示</source>
        <translation>Record check note</translation>
    </message>
    <message>
        <source>登记状态</source>
        <translation>Record status</translation>
    </message>
    <message>
        <source>登记被拒绝</source>
        <translation>Record rejected</translation>
    </message>
    <message>
        <source>监管人员</source>
        <translation>supervisor</translation>
    </message>
    <message>
        <source>省、市、县、街道、门牌号</source>
        <translation>Province, city, county, street, number</translation>
    </message>
    <message>
        <source>看全区域</source>
        <translation>Whole region</translation>
    </message>
    <message>
        <source>知道了</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>短信验证码</source>
        <translation>SMS code</translation>
    </message>
    <message>
        <source>确定删除子管理员 {0}（{1}）？删除后对方不能再在本场所核验。</source>
        <translation>Delete staff member {0} ({1})? They can no longer check at this venue.</translation>
    </message>
    <message>
        <source>确定删除检查点“{0}”？已有的核验记录会保留。</source>
        <translation>Delete checkpoint "{0}"? Existing check records are kept.</translation>
    </message>
    <message>
        <source>确定收回 {0}（{1}）的核验权限？收回后对方不能再在本场所核验，可随时恢复授权。</source>
        <translation>Revoke the access of {0} ({1})? They can no longer check at this venue; you can restore it any time.</translation>
    </message>
    <message>
        <source>确定查看</source>
        <translation>View</translation>
    </message>
    <message>
        <source>确定解除“{0}”（{1}）的绑定？该设备下次联网时停止核验并提示已解除绑定，需重新绑定才能使用。</source>
        <translation>Revoke “{0}” ({1})? The device stops checking the next time it is online and says it was revoked; it must be enrolled again to be used.</translation>
    </message>
    <message>
        <source>确认开闸</source>
        <translation>Open gate</translation>
    </message>
    <message>
        <source>磁盘已满</source>
        <translation>the disk is full</translation>
    </message>
    <message>
        <source>磁盘或文件夹是只读的</source>
        <translation>the disk or folder is read-only</translation>
    </message>
    <message>
        <source>禁止通行</source>
        <translation>No entry</translation>
    </message>
    <message>
        <source>离线时无法修改其他设备的登记，请联网后重试</source>
        <translation>Records from other devices cannot be edited offline; connect and try again</translation>
    </message>
    <message>
        <source>离线时请使用 PIN 退出</source>
        <translation>Offline, exit with the PIN</translation>
    </message>
    <message>
        <source>离线核验（健康码签名快照）</source>
        <translation>Checked offline (signed health code snapshot)</translation>
    </message>
    <message>
        <source>离线状态无法核验证件，请人工决定</source>
        <translation>ID numbers cannot be verified offline; decide by hand</translation>
    </message>
    <message>
        <source>离线，未能核验</source>
        <translation>Offline; could not verify</translation>
    </message>
    <message>
        <source>离线：仅本机记录</source>
        <translation>Offline: this device's records only</translation>
    </message>
    <message>
        <source>离线：无法从服务器读取 {0} 的统计</source>
        <translation>Offline: cannot read the statistics of {0} from the server</translation>
    </message>
    <message>
        <source>程序出现了一个意外错误。</source>
        <translation>The program hit an unexpected error.</translation>
    </message>
    <message>
        <source>程序出现错误</source>
        <translation>Program error</translation>
    </message>
    <message>
        <source>程序错误</source>
        <translation>Program error</translation>
    </message>
    <message>
        <source>等待人工决定</source>
        <translation>Awaiting manual decision</translation>
    </message>
    <message>
        <source>等待核验</source>
        <translation>Waiting for a check</translation>
    </message>
    <message>
        <source>筛选场所类型</source>
        <translation>Filter venue types</translation>
    </message>
    <message>
        <source>管理</source>
        <translation>Admin</translation>
    </message>
    <message>
        <source>管理人员手机号码</source>
        <translation>Admin's mobile number</translation>
    </message>
    <message>
        <source>管理员</source>
        <translation>admin</translation>
    </message>
    <message>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>紧急疏散</source>
        <translation>Emergency evacuation</translation>
    </message>
    <message>
        <source>红码</source>
        <translation>Red code</translation>
    </message>
    <message>
        <source>红码，请劝返并报告社区</source>
        <translation>Red code: turn away and report to the community</translation>
    </message>
    <message>
        <source>绑定二维码</source>
        <translation>Enrolment QR code</translation>
    </message>
    <message>
        <source>绑定到检查点</source>
        <translation>Checkpoint</translation>
    </message>
    <message>
        <source>绑定本机</source>
        <translation>Enrol this device</translation>
    </message>
    <message>
        <source>绑定码</source>
        <translation>Enrolment code</translation>
    </message>
    <message>
        <source>绑定码剩余时间</source>
        <translation>Time left for the code</translation>
    </message>
    <message>
        <source>绑定码已过期，请重新新建</source>
        <translation>The code has expired. Create a new one.</translation>
    </message>
    <message>
        <source>绑定码应为 8 位字母和数字（例如 K7QX-M2PA），请核对后重新输入</source>
        <translation>An enrolment code is 8 letters and digits (e.g. K7QX-M2PA). Check it and enter it again.</translation>
    </message>
    <message>
        <source>结束日期</source>
        <translation>End date</translation>
    </message>
    <message>
        <source>结束日期不能早于开始日期</source>
        <translation>The end date cannot be before the start date</translation>
    </message>
    <message>
        <source>结果自动清除</source>
        <translation>Clear results after</translation>
    </message>
    <message>
        <source>结果自动清除（秒）</source>
        <translation>Clear results after (s)</translation>
    </message>
    <message>
        <source>结论</source>
        <translation>Verdict</translation>
    </message>
    <message>
        <source>统一提示音（旁人听不出结果）</source>
        <translation>Same tone (bystanders cannot tell)</translation>
    </message>
    <message>
        <source>统计</source>
        <translation>Statistics</translation>
    </message>
    <message>
        <source>统计日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>统计范围</source>
        <translation>Scope</translation>
    </message>
    <message>
        <source>继电器通道</source>
        <translation>Relay channel</translation>
    </message>
    <message>
        <source>继续使用</source>
        <translation>Keep using</translation>
    </message>
    <message>
        <source>继续核验下一位</source>
        <translation>Check next visitor</translation>
    </message>
    <message>
        <source>绿码</source>
        <translation>Green code</translation>
    </message>
    <message>
        <source>网络回调 (Webhook)</source>
        <translation>Web callback (Webhook)</translation>
    </message>
    <message>
        <source>网络状态</source>
        <translation>Network status</translation>
    </message>
    <message>
        <source>联系电话</source>
        <translation>Contact phone</translation>
    </message>
    <message>
        <source>联系电话应为 11 位手机号码</source>
        <translation>The contact phone must be an 11-digit mobile number</translation>
    </message>
    <message>
        <source>脱敏</source>
        <translation>Masked</translation>
    </message>
    <message>
        <source>自动清除倒计时</source>
        <translation>Auto-clear countdown</translation>
    </message>
    <message>
        <source>自动识别</source>
        <translation>Detect automatically</translation>
    </message>
    <message>
        <source>自助核验机</source>
        <translation>Self-check kiosk</translation>
    </message>
    <message>
        <source>自助模式</source>
        <translation>Kiosk mode</translation>
    </message>
    <message>
        <source>自助模式 PIN</source>
        <translation>Kiosk PIN</translation>
    </message>
    <message>
        <source>自助模式下请使用本场所工作人员的账号登录</source>
        <translation>In kiosk mode, log in with an account of this venue's staff</translation>
    </message>
    <message>
        <source>自助模式设置</source>
        <translation>Kiosk settings</translation>
    </message>
    <message>
        <source>至</source>
        <translation>to</translation>
    </message>
    <message>
        <source>获取验证码</source>
        <translation>Get code</translation>
    </message>
    <message>
        <source>行程卡</source>
        <translation>Travel card</translation>
    </message>
    <message>
        <source>行程卡异常</source>
        <translation>Travel card abnormal</translation>
    </message>
    <message>
        <source>行程卡异常（本场所不要求查验）</source>
        <translation>Travel card abnormal (not required here)</translation>
    </message>
    <message>
        <source>行程卡异常，请人工核验</source>
        <translation>Travel card abnormal; check by hand</translation>
    </message>
    <message>
        <source>行程卡未核验（本场所不要求查验）</source>
        <translation>Travel card not verified (not required here)</translation>
    </message>
    <message>
        <source>行程卡未核验，请人工核验</source>
        <translation>Travel card not verified; check by hand</translation>
    </message>
    <message>
        <source>行程卡正常</source>
        <translation>Travel card normal</translation>
    </message>
    <message>
        <source>行程异常</source>
        <translation>Travel abnormal</translation>
    </message>
    <message>
        <source>被服务器拒绝的记录</source>
        <translation>Records rejected by the server</translation>
    </message>
    <message>
        <source>要导出的场所</source>
        <translation>Venues to export</translation>
    </message>
    <message>
        <source>视频 {0}</source>
        <translation>Video {0}</translation>
    </message>
    <message>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>解除绑定</source>
        <translation>Revoke</translation>
    </message>
    <message>
        <source>设备</source>
        <translation>Devices</translation>
    </message>
    <message>
        <source>设备凭据仅保存在内存中</source>
        <translation>Device credential kept in memory only</translation>
    </message>
    <message>
        <source>设备名称</source>
        <translation>Device name</translation>
    </message>
    <message>
        <source>设备地址</source>
        <translation>Device address</translation>
    </message>
    <message>
        <source>设备密码</source>
        <translation>Device password</translation>
    </message>
    <message>
        <source>设备提示</source>
        <translation>Device message</translation>
    </message>
    <message>
        <source>设备故障</source>
        <translation>Device fault</translation>
    </message>
    <message>
        <source>设备绑定</source>
        <translation>Enrol device</translation>
    </message>
    <message>
        <source>设备绑定提示</source>
        <translation>Enrolment message</translation>
    </message>
    <message>
        <source>设备绑定说明</source>
        <translation>How to enrol a device</translation>
    </message>
    <message>
        <source>设备绑定（自助核验机）</source>
        <translation>Enrol device (self-check kiosk)</translation>
    </message>
    <message>
        <source>设备绑定：为检查点新建绑定码，在自助核验机的登录页点“设备绑定”输入绑定码（10 分钟内有效，只能使用一次）。绑定后的设备只能核验、同步和开闸，不能管理场所或导出数据。</source>
        <translation>Enrol a device: create a code for a checkpoint, then on the kiosk’s login page tap “Enrol device” and enter it (valid 10 minutes, once). An enrolled device can only check, sync and open its gate; it cannot manage the venue or export data.</translation>
    </message>
    <message>
        <source>设置</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>设置 PIN</source>
        <translation>Set PIN</translation>
    </message>
    <message>
        <source>设置页面</source>
        <translation>Settings pages</translation>
    </message>
    <message>
        <source>访客</source>
        <translation>Visitors</translation>
    </message>
    <message>
        <source>证书颁发机构（CA）文件中没有可用的 PEM 证书：{0}</source>
        <translation>No usable PEM certificate in the CA file: {0}</translation>
    </message>
    <message>
        <source>证书颁发机构（CA）文件无法使用</source>
        <translation>The CA file cannot be used</translation>
    </message>
    <message>
        <source>证件号码</source>
        <translation>ID number</translation>
    </message>
    <message>
        <source>证件号码中的出生日期不对，请核对后重新输入</source>
        <translation>Birth date in the ID number is wrong; check and enter again</translation>
    </message>
    <message>
        <source>证件号码位数不对，请核对后重新输入</source>
        <translation>Wrong number of digits; check and enter again</translation>
    </message>
    <message>
        <source>证件号码格式不正确，请核对后重新输入</source>
        <translation>ID number format is wrong; check and enter again</translation>
    </message>
    <message>
        <source>证件号码的地区代码不存在，请核对后重新输入</source>
        <translation>Region code in the ID number does not exist; check and enter again</translation>
    </message>
    <message>
        <source>证件查询</source>
        <translation>ID lookups</translation>
    </message>
    <message>
        <source>证件类型</source>
        <translation>ID type</translation>
    </message>
    <message>
        <source>证件类型：{0}</source>
        <translation>ID type: {0}</translation>
    </message>
    <message>
        <source>证件：{0}</source>
        <translation>ID: {0}</translation>
    </message>
    <message>
        <source>该手机号不是本场所的管理人员</source>
        <translation>This number is not an admin of this venue</translation>
    </message>
    <message>
        <source>详细地址</source>
        <translation>Full address</translation>
    </message>
    <message>
        <source>语言</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>语言、字体大小、提示音和语音播报的更改在下次启动程序时生效。语音播报会让旁人听到核验结果。</source>
        <translation>Language, font size, tones and spoken results change at the next start. Spoken results let bystanders hear the verdict.</translation>
    </message>
    <message>
        <source>语音播报</source>
        <translation>Spoken result</translation>
    </message>
    <message>
        <source>语音播报核验结果</source>
        <translation>Speak the result</translation>
    </message>
    <message>
        <source>语音播报核验结果（请通行 / 禁止通行 / 请人工核验）</source>
        <translation>Speak the result (please enter / no entry / manual check)</translation>
    </message>
    <message>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>请人工核验后选择</source>
        <translation>Check by hand, then choose</translation>
    </message>
    <message>
        <source>请从列表中选择场所类型（可输入关键字筛选）</source>
        <translation>Choose a venue type from the list (type to filter)</translation>
    </message>
    <message>
        <source>请先选择设备所在的检查点</source>
        <translation>Choose the device’s checkpoint first</translation>
    </message>
    <message>
        <source>请出示个人健康码或刷身份证</source>
        <translation>Show your personal health code or swipe your ID card</translation>
    </message>
    <message>
        <source>请场所负责人在“场所管理 → 设备”中为本机所在的检查点新建绑定码，然后在下面输入（10 分钟内有效，只能使用一次）。绑定后本机以设备身份核验，无需工作人员短信登录；人工处置时工作人员再登录。</source>
        <translation>Ask the venue owner to create an enrolment code for this device’s checkpoint in “Venue admin → Devices”, then enter it below (valid 10 minutes, once). Once enrolled, this device checks on its own credential with no staff SMS login; staff log in only for manual decisions.</translation>
    </message>
    <message>
        <source>请填写 6 位县级行政区划代码，如 330624（新昌县）</source>
        <translation>Enter the 6-digit county area code, e.g. 330624 (Xinchang County)</translation>
    </message>
    <message>
        <source>请填写不通过的原因</source>
        <translation>Enter the reason for rejection</translation>
    </message>
    <message>
        <source>请填写原因（场所负责人会看到），如：营业执照与场所名称不符</source>
        <translation>Enter the reason (the owner will see it), e.g. business licence does not match the venue name</translation>
    </message>
    <message>
        <source>请填写县（市、区）级代码，末两位不能是 00</source>
        <translation>Enter a county-level code; the last two digits cannot be 00</translation>
    </message>
    <message>
        <source>请填写场所名称</source>
        <translation>Enter the venue name</translation>
    </message>
    <message>
        <source>请填写场所的详细地址</source>
        <translation>Enter the venue's full address</translation>
    </message>
    <message>
        <source>请填写姓名</source>
        <translation>Enter the name</translation>
    </message>
    <message>
        <source>请填写子管理员的姓名</source>
        <translation>Enter the staff member's name</translation>
    </message>
    <message>
        <source>请填写情况说明（核验了什么、如何处置）</source>
        <translation>Enter the notes (what was checked, what was done)</translation>
    </message>
    <message>
        <source>请填写所在乡镇（街道）</source>
        <translation>Enter the township (subdistrict)</translation>
    </message>
    <message>
        <source>请填写手动开闸的原因</source>
        <translation>Enter the reason for opening by hand</translation>
    </message>
    <message>
        <source>请填写手动开闸的原因（与核验记录一起保存）：</source>
        <translation>Reason for opening by hand (saved with the check record):</translation>
    </message>
    <message>
        <source>请填写检查点名称</source>
        <translation>Enter a checkpoint name</translation>
    </message>
    <message>
        <source>请填写联系电话，或说明无法留电话的原因</source>
        <translation>Enter a contact phone, or say why there is none</translation>
    </message>
    <message>
        <source>请填写设备名称，例如“东门自助核验机”</source>
        <translation>Enter a device name, e.g. “East gate kiosk”</translation>
    </message>
    <message>
        <source>请填写负责人姓名</source>
        <translation>Enter the owner's name</translation>
    </message>
    <message>
        <source>请录入证件号码，或先扫码关联核验记录</source>
        <translation>Enter the ID number, or scan first to link a check</translation>
    </message>
    <message>
        <source>请扫描个人健康码，或录入证件号码</source>
        <translation>Scan the personal health code, or enter the ID number</translation>
    </message>
    <message>
        <source>请按提示修改标红的内容</source>
        <translation>Please correct the fields marked in red</translation>
    </message>
    <message>
        <source>请本场所的管理人员验证身份后退出自助模式。</source>
        <translation>A venue admin must verify before kiosk mode can be left.</translation>
    </message>
    <message>
        <source>请检查 --ca 参数或设置中的 CA 文件（ca_file）。</source>
        <translation>Check the --ca option or the CA file in the settings (ca_file).</translation>
    </message>
    <message>
        <source>请联系现场工作人员</source>
        <translation>Please contact the staff on site</translation>
    </message>
    <message>
        <source>请至少选择一个场所</source>
        <translation>Choose at least one venue</translation>
    </message>
    <message>
        <source>请输入短信验证码</source>
        <translation>Enter the SMS code</translation>
    </message>
    <message>
        <source>请输入证件号码</source>
        <translation>Enter the ID number</translation>
    </message>
    <message>
        <source>请选择</source>
        <translation>Choose</translation>
    </message>
    <message>
        <source>请选择保存位置</source>
        <translation>Choose a save location</translation>
    </message>
    <message>
        <source>请选择处置方式</source>
        <translation>Choose the action taken</translation>
    </message>
    <message>
        <source>请选择异常类型</source>
        <translation>Choose the anomaly type</translation>
    </message>
    <message>
        <source>负责人</source>
        <translation>Owner</translation>
    </message>
    <message>
        <source>负责人姓名</source>
        <translation>Owner's name</translation>
    </message>
    <message>
        <source>负责人手机</source>
        <translation>Owner's mobile</translation>
    </message>
    <message>
        <source>负责人手机号</source>
        <translation>Owner's mobile</translation>
    </message>
    <message>
        <source>负责人手机号应为 11 位大陆手机号</source>
        <translation>The owner's mobile must be an 11-digit mainland number</translation>
    </message>
    <message>
        <source>负责人手机号码</source>
        <translation>Owner's mobile number</translation>
    </message>
    <message>
        <source>负责人首次用该号码登录即接管场所</source>
        <translation>The owner takes over the venue at the first login with this number</translation>
    </message>
    <message>
        <source>超时</source>
        <translation>Timed out</translation>
    </message>
    <message>
        <source>超限被拒</source>
        <translation>Refused over limit</translation>
    </message>
    <message>
        <source>跟随系统</source>
        <translation>System default</translation>
    </message>
    <message>
        <source>路径上有同名的文件</source>
        <translation>a file of the same name is in the way</translation>
    </message>
    <message>
        <source>载入服务器版本</source>
        <translation>Load server version</translation>
    </message>
    <message>
        <source>输入关键字筛选，如“超市”“医疗”</source>
        <translation>Type to filter, e.g. "supermarket", "clinic"</translation>
    </message>
    <message>
        <source>输入证件号码</source>
        <translation>Type the ID number</translation>
    </message>
    <message>
        <source>输入错误</source>
        <translation>Input error</translation>
    </message>
    <message>
        <source>近 30 天趋势</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <source>近 {0} 天核验与异常</source>
        <translation>Checks and abnormal, last {0} days</translation>
    </message>
    <message>
        <source>返回</source>
        <translation>Back</translation>
    </message>
    <message>
        <source>返回处理</source>
        <translation>Back to it</translation>
    </message>
    <message>
        <source>返回核验</source>
        <translation>Back to checks</translation>
    </message>
    <message>
        <source>返回登录</source>
        <translation>Back to login</translation>
    </message>
    <message>
        <source>返回登记</source>
        <translation>Back to the record</translation>
    </message>
    <message>
        <source>还没有场所？注册场所</source>
        <translation>No venue yet? Register one</translation>
    </message>
    <message>
        <source>还没有绑定的设备</source>
        <translation>No devices enrolled yet</translation>
    </message>
    <message>
        <source>这是一个文件夹</source>
        <translation>this is a folder</translation>
    </message>
    <message>
        <source>这是场所码，不是个人健康码。请访客出示本人的个人健康码</source>
        <translation>This is a venue code, not a personal health code; ask the visitor for their own health code</translation>
    </message>
    <message>
        <source>这条登记不在本机，联网后才能查看和修改</source>
        <translation>This record is not on this device; connect to view and edit it</translation>
    </message>
    <message>
        <source>进入自助模式</source>
        <translation>Enter kiosk mode</translation>
    </message>
    <message>
        <source>连号</source>
        <translation>Sequential</translation>
    </message>
    <message>
        <source>连接中…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>退出后需要重新获取短信验证码才能登录。确定退出登录？</source>
        <translation>You will need a new SMS code to log in again. Log out?</translation>
    </message>
    <message>
        <source>退出登录</source>
        <translation>Log out</translation>
    </message>
    <message>
        <source>退出自助模式</source>
        <translation>Exit kiosk mode</translation>
    </message>
    <message>
        <source>退出自助模式需要本场所管理人员的手机验证码；设置 PIN 后，离线时也可用 PIN 退出。PIN 为 4 到 8 位数字，本机只保存其加密摘要。</source>
        <translation>Leaving kiosk mode needs an SMS code for a venue admin's phone; with a PIN set, it can also be left offline with the PIN. The PIN has 4 to 8 digits; this device keeps only a hash of it.</translation>
    </message>
    <message>
        <source>退出自助模式（需要场所管理人员验证）</source>
        <translation>Exit kiosk mode (venue admin must verify)</translation>
    </message>
    <message>
        <source>送临时隔离点</source>
        <translation>Sent to temporary quarantine site</translation>
    </message>
    <message>
        <source>送黄码采样点</source>
        <translation>Sent to yellow-code testing point</translation>
    </message>
    <message>
        <source>适用的检查点</source>
        <translation>Applies to checkpoints</translation>
    </message>
    <message>
        <source>选择…</source>
        <translation>Choose…</translation>
    </message>
    <message>
        <source>选择保存位置</source>
        <translation>Choose save location</translation>
    </message>
    <message>
        <source>选择场所</source>
        <translation>Choose venue</translation>
    </message>
    <message>
        <source>选择场所码</source>
        <translation>Choose venue code</translation>
    </message>
    <message>
        <source>选择检查点</source>
        <translation>Choose checkpoint</translation>
    </message>
    <message>
        <source>通行</source>
        <translation>Pass</translation>
    </message>
    <message>
        <source>通行证</source>
        <translation>Travel permit</translation>
    </message>
    <message>
        <source>通过</source>
        <translation>Approve</translation>
    </message>
    <message>
        <source>通过“{0}”的审核？通过后该场所可以查询证件信息。此操作将记入审计日志。</source>
        <translation>Approve "{0}"? The venue can then look up ID numbers. This is written to the audit log.</translation>
    </message>
    <message>
        <source>通过审核</source>
        <translation>Approve venue</translation>
    </message>
    <message>
        <source>重试</source>
        <translation>Retry</translation>
    </message>
    <message>
        <source>错误已记录到：
{0}</source>
        <translation>Error logged to:
{0}</translation>
    </message>
    <message>
        <source>错误报告无法保存到 {0}（{1}），请检查磁盘空间和文件夹权限。</source>
        <translation>The error report cannot be saved to {0} ({1}); check disk space and folder permissions.</translation>
    </message>
    <message>
        <source>门编号</source>
        <translation>Door number</translation>
    </message>
    <message>
        <source>闸机</source>
        <translation>Gate</translation>
    </message>
    <message>
        <source>闸机保持关闭</source>
        <translation>Gate stays closed</translation>
    </message>
    <message>
        <source>闸机未响应</source>
        <translation>Gate did not respond</translation>
    </message>
    <message>
        <source>闸机未响应（HTTP 错误）</source>
        <translation>Gate did not respond (HTTP error)</translation>
    </message>
    <message>
        <source>闸机未响应（无法连接）</source>
        <translation>Gate did not respond (cannot connect)</translation>
    </message>
    <message>
        <source>闸机未响应（测试出错）</source>
        <translation>Gate did not respond (test failed)</translation>
    </message>
    <message>
        <source>闸机未响应（认证失败，请检查用户名、密码或密钥）</source>
        <translation>Gate did not respond (authentication failed; check user name, password or secret)</translation>
    </message>
    <message>
        <source>闸机未响应（超时）</source>
        <translation>Gate did not respond (timed out)</translation>
    </message>
    <message>
        <source>闸机状态</source>
        <translation>Gate status</translation>
    </message>
    <message>
        <source>闸机类型</source>
        <translation>Gate type</translation>
    </message>
    <message>
        <source>闸机设置不完整</source>
        <translation>Gate settings incomplete</translation>
    </message>
    <message>
        <source>闸机连接正常</source>
        <translation>Gate connection OK</translation>
    </message>
    <message>
        <source>需核验</source>
        <translation>Review</translation>
    </message>
    <message>
        <source>页签按钮</source>
        <translation>Tab buttons</translation>
    </message>
    <message>
        <source>须完成全程接种</source>
        <translation>Full vaccination required</translation>
    </message>
    <message>
        <source>须完成加强免疫</source>
        <translation>Booster required</translation>
    </message>
    <message>
        <source>须核验行程卡</source>
        <translation>Travel card required</translation>
    </message>
    <message>
        <source>验证并退出</source>
        <translation>Verify and exit</translation>
    </message>
    <message>
        <source>验证提示</source>
        <translation>Verification note</translation>
    </message>
    <message>
        <source>验证码</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>验证码已发送，请查看短信</source>
        <translation>Code sent; check your SMS</translation>
    </message>
    <message>
        <source>黄码</source>
        <translation>Yellow code</translation>
    </message>
    <message>
        <source>黄码的处理</source>
        <translation>If yellow code</translation>
    </message>
    <message>
        <source>黄码（本场所允许通行）</source>
        <translation>Yellow code (allowed at this venue)</translation>
    </message>
    <message>
        <source>黄码，本场所按无法核验处理</source>
        <translation>Yellow code; treated as cannot verify here</translation>
    </message>
    <message>
        <source>黄码，请人工核验</source>
        <translation>Yellow code; check by hand</translation>
    </message>
    <message>
        <source>（待同步）</source>
        <translation>(to sync)</translation>
    </message>
    <message>
        <source>（无）</source>
        <translation>(none)</translation>
    </message>
    <message>
        <source>（显示截至 {0} 的本机数据）</source>
        <translation>(showing this device's data as of {0})</translation>
    </message>
    <message>
        <source>（未填写）</source>
        <translation>(not given)</translation>
    </message>
    <message>
        <source>（未登记）</source>
        <translation>(not recorded)</translation>
    </message>
    <message>
        <source>（本场所不要求）</source>
        <translation> (not required here)</translation>
    </message>
    <message>
        <source>（退出自助模式）</source>
        <translation>(exit kiosk mode)</translation>
    </message>
    <message>
        <source>；</source>
        <translation>; </translation>
    </message>
</context>
</TS>
