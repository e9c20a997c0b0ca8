<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>shoumen</name>
    <message>
        <source>

您可以继续使用。如果问题反复出现，请重启程序，并联系技术支持。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
损坏的文件已保留，请交给技术支持。恢复的记录将在联网后自动上传。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> 秒</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>11 位手机号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>11 位手机号码，将作为初始管理员账号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>4 到 8 位数字</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>6 位数字，如 330624（新昌县）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>6 位验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV 格式</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV（表格软件通用）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Excel 格式</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Excel（XLSX）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIN 已清除，保存设置后生效。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIN 状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIN 错误次数过多，请 {0} 秒后再试</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PIN 错误，还可尝试 {0} 次</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} · {1} · {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} · {1} 每小时核验人次</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} · 近 {1} 天</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} 共 {1} 个场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} 有多个检查点，请选择本机所在的检查点。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} 条核验记录暂存内存，未写入本机</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} 条被拒绝</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} 每小时核验人次</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} 的数据读取失败：{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} 的统计读取失败：{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} 秒后清除</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0} 秒后重发</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}。您的修改未保存，请载入服务器版本后重新修改。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}（{1} 条）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{0}：请更正或清空体温后重新扫码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>“{0}”是本机正在使用的检查点。删除后，本机返回核验时需要重新选择检查点。
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>○ 离线</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>● 在线</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>一次最多导出 {0} 天，请缩短日期范围</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>上一位访客尚未处理</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>上一位访客需要人工核验，尚未选择“人工放行”或“劝返”。
继续核验下一位，上一位将记为未决定。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>上次同步 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>上次同步时间</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>下一步</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>下面是服务器上的版本，可在此基础上修改。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>不同提示音（按核验结果区分）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>不能大于 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>不能小于 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>不通过</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>不通过原因</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>不通过审核</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>不通过提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>两次输入的 PIN 不一致</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>个人</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>串口</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>为此访客做核查登记</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>为没有智能手机的场所负责人注册场所。注册后可直接为其打印场所码海报。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>乡镇街道工作人员请登录后在“代为注册”中为场所负责人注册场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>乡镇（街道）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>人工放行</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>人工核验决定</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>仅用于本检查点：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>今日无核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>代为注册</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>代为注册场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>代为注册提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>体温</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>体温 {0} °C，随下一次核验记录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>体温 °C，可不填，如 36.8</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>体温提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>体温（摄氏度，可不填）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>例如 /dev/ttyUSB0 或 COM3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>例如 http://192.168.1.64</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>例如 https://…/open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>例如：工作人员核实放行</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>保存</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>保存位置</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>保存到</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>保存图片</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>保存场所码图片</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>保存导出文件</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>保存状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>保存规则</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>保存设置</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>信任列表警告</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>信息脱敏程度</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>全选</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>全部卡口</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>全部场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>共 {0} 个场所待审核</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>共 {0} 人次未通过</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>共享密钥</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>关闭</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>关闭无法保存提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>关闭登录保存提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>其中不同人员 {0} 人</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>再次输入</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>再次输入新 PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>再注册一个场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>切换到新服务器</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>切换场所或检查点</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>切换服务器</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>切换检查点</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>删除</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>删除子管理员</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>删除检查点</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>刷新</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>劝返</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>区划代码前两位应为大陆省份代码（如浙江 33）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>区域监管</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>区域监管 · {0}（{1}）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>区域监管分页</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>区域监管提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>单位</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>卡口筛选</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>原因：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>原地址</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>县级区划代码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>发热标准（≥）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>发热标准（摄氏度）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>取值无效</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>取消</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>取消导出</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>取消注册</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>另有 {0} 条未上传的记录来自同一服务器的旧数据文件，已并入并将上传。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>号码校验提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>合计</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>合计：已核验 {0} 人次 · 通行 {1} · 人工核验 {2} · 异常 {3} · {4} 人</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>同步提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>同步状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>向右滚动页签</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>向左滚动页签</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>启动时进入自助模式</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>启动状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>回调地址</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>图片文件夹 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>图表范围</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>图表：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>图表：全区域（{0}）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>在线</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>地址</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所名称</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所审核状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所码图片</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所码提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所码警告</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所码链接</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所管理</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所管理 · {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所管理分页</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所管理提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所类型</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所统计</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所统计表</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所负责人的真实姓名</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所负责人自行注册的场所需经本乡镇街道审核：审核通过前可添加工作人员、打印场所码、接受访客自助登记，但不能查询证件信息。代为注册的场所无需审核。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>场所：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>如：南明街道</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>如：南门、北门、地下车库</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>如：新昌县城关农贸市场</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>姓名</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>姓名：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>子管理员</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>子管理员列表</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>子管理员姓名</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>子管理员手机号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>子管理员提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>字体大小</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>守小门</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>守小门 · 场所核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>守小门 · 登录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>完整信息（查看已记录）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>完整的姓名、证件号码和电话属于个人隐私，仅限流调溯源使用。本次查看将记入审计日志。确定查看？</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>审核提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>审核状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>审核状态：已通过</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>审核状态：待审核。所在乡镇街道审核通过前，本场所不能查询证件信息；可以先添加子管理员、打印场所码海报，访客可扫场所码自助登记。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>审核状态：未通过。原因：{0}。请联系所在乡镇街道。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>密钥保存失败，请重试</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>导出内容为脱敏后的核验记录，每次导出都会记入审计日志。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>导出场所码海报</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>导出完成：{0}（{1}）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>导出已取消，未保存文件</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>导出核验记录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>导出核验记录（流调溯源）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>导出海报</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>导出状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>导出记录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>导出进度</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>将在保存后清除</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>尚未同步</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>尚未选择</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>工作台页面</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已为 {0} 注册“{1}”。负责人用手机号 {2} 登录即可接管。可在下方为其打印场所码海报。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已保存{0}：{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已保存。本场所的所有核验设备会在下次同步时（约 1 分钟内）采用新规则。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已保存的闸机设置有误（{0}），已改用默认值，请检查后保存</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已保存（输入新值即替换）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已关联核验记录：{0} {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已删除检查点：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已删除：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已发送到打印机</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已将“{0}”改名为“{1}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已将“{0}”退回：未通过审核</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已开闸（人工放行）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已恢复 {0} 的核验权限</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已接收 {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已收回 {0} 的核验权限</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已有名为“{0}”的检查点</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已添加检查点：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已添加：{0}（{1}）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已登记</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已记录本次查看。完整信息将在 {0} 秒后自动隐藏。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已记录：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已设置 PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已选场所类型</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已选：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>已通过“{0}”的审核</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>开始导出</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>开始日期</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>开闸</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>开闸原因</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>开闸时长</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>异常</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>异常人员 · {0}（双击一行查看或登记）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>异常人员列表</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>异常人员（双击一行查看或登记）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>异常人次</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>异常名单</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>异常名单提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>当前场所和检查点</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>当前时间</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>当天暂无检测</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>当日无核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>录入证件号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>待同步 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>待同步数量</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>待审核场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>待审核场所表</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>待审核场所（{0}）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>待审核数量</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>待机画面</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>必须大于 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>必须小于 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>快</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>恢复授权</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>恢复默认</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>您在以下场所的核验权限已被收回，请联系场所管理员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>您在多个场所有核验权限，请选择本机所在的场所。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>您在本场所的核验权限已被收回，新的核验记录无法上传，请联系场所管理员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>您还没有可以核验的场所。请场所的初始管理员把您添加为子管理员后重新登录。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>慢</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>截至 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>手动开闸</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>手动开闸原因</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>手动开闸结果</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>手动开闸（无核验记录的访客）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>手动开闸（需填写原因）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>手机号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>手机号码应为 11 位大陆手机号，如 13800138000</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>手机验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>打印</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>打印场所码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>扫码已停止</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>扫码提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>扫码状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>提交注册</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>提示音</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>提示音方式</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>摄像头</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>摄像头 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>摄像头扫码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>摄像头画面</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>收回权限</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>收回核验权限</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>改名</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>放弃并关闭</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>数据时间</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>整个场所（{0}）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>新 PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>新 PIN 已设置，保存设置后生效。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>无操作多久后显示待机画面（秒）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>无法保存</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>无法保存的原因</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>无法打印：打印机不可用</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>无法读取本机剩余空间</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>无法连接服务器，请检查网络后再登录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>日期范围</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>时</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>时钟偏差警告</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>显示与声音</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂不决定</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂不决定，清除此结果（记为未决定）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂不切换</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>暂存的核验记录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>最多 {0} 个字</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>服务器地址</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>服务器地址已改为 {0}，与之前的 {1} 是同一台服务器：本机数据和待同步记录继续使用。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>服务器拒绝了这条登记：{0}。修改后可重新保存。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未关联核验记录：可先扫码或录入证件号码核验，无智能手机且无证件的访客请直接填写</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未切换服务器：上次使用的服务器（{0}）还有 {1} 条记录未上传。请把服务器地址改回原地址后重新启动，或点击重试后选择切换。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未启用摄像头扫码；可使用证件录入或扫码枪</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未申领健康码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未申领本地健康码的处理</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未登记</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未设置</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未设置 PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>未说明</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本场所待审核：所在乡镇街道审核通过前不能查询证件信息，核验将显示“无法核验”。审核期间可以添加工作人员、打印场所码。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本场所未通过乡镇街道审核，不能查询证件信息。原因：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本场所要求测体温</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本场所要求测体温：体温栏常驻证件键盘旁</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机存储空间</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机存储空间不足：剩余 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机数据文件已修复</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机数据文件已损坏，正在恢复未上传的记录…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机时钟比服务器{0}约 {1} 分钟，核酸时效判断可能不准，请校准系统时间。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机没有可用的系统钥匙串：登录状态和闸机密钥只保存在本次运行中，重启程序后需要重新登录，并在设置中重新填写闸机密钥。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机演示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机演示服务无法启动：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机的修改与服务器冲突（{0}），未上传。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机设置</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本机还有 {0} 条记录未上传到上次使用的服务器（{1}）。现在的地址 {2} 是另一台服务器。
切换后这些记录仍保留在本机，不会删除，重新使用原服务器时会继续上传。是否切换？</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>本次运行已有 {0} 条核验记录暂存在内存中，存储恢复后自动写入；请勿关闭程序。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>权限已收回</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>查看完整信息</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>查看当天的异常人员</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>查询预警</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>查询预警说明</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>查询预警（{0}）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核查登记</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核查登记填写到一半，尚未保存。关闭程序将丢失已填写的内容。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核查登记尚未保存</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核查登记尚未保存，退出登录将丢失已填写的内容。
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核酸有效期</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核酸检测</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核验人次</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核验工作台</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核验结果</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核验结果播放提示音</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核验结论</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核验规则</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核验规则提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核验记录无法保存</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核验记录（已脱敏）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>核验证件</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>格式</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>检查点</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>检查点列表</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>检查点名称</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>检查点提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>检查点说明</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>检查点：</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>检查点：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>检测人数</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>检测异常：查看异常人员</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在保存…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在修改已保存的登记{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在取得场所码…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在取消…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在同步场所配置…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在启动</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在启动…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在启动本机演示服务…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在导出…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在开闸…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在恢复登录…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在打开{0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在提交…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在核验…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在注册…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在测试闸机连接…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在登录…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在读取 {0} 的数据…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在读取 {0} 的统计…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在读取…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在读取场所信息…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在读取子管理员…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在读取核验规则…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在载入服务器版本…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>正在载入登记…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>每个出入口一个检查点。选中一个检查点后可改名或删除；改名时在上面输入新名称。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>每小时核验人次</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>每小时检测人数</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>每小时检测人数，最多 {0} 时 {1} 人</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>没有待审核的场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>注册场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>注册场所 · 第 1 步（共 2 步）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>注册场所 · 第 {0} 步（共 2 步）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>注册成功：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>注册提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>测试结果</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>测试闸机</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>测试闸机只检查连接，不会开闸。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>测试闸机连接（不开闸）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>添加</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>添加子管理员</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>添加子管理员：填写姓名和手机号码，对方用该手机号登录即可核验。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>添加说明</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>清空</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>清除</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>清除 PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>清除{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>演示服务器</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>演示模式</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>演示账号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>演示账号（任选其一）：</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>演示验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>演示验证码：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>点“选择…”选择保存位置</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>用 PIN 退出</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>用户名</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>用负责人的手机号注册。注册后，该手机号就是本场所的初始管理员，可以添加子管理员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>界面语言</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>疑似批量查询的场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>疫苗接种</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>疫苗接种要求</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>登录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>登录保存提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>登录已失效，请重新登录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>登录提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>登记已保存，将自动同步到服务器</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>省、市、县、街道、门牌号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>看全区域</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>知道了</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>短信验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>确定删除子管理员 {0}（{1}）？删除后对方不能再在本场所核验。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>确定删除检查点“{0}”？已有的核验记录会保留。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>确定收回 {0}（{1}）的核验权限？收回后对方不能再在本场所核验，可随时恢复授权。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>确定查看</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>确认开闸</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>离线时无法修改其他设备的登记，请联网后重试</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>离线：仅本机记录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>离线：无法从服务器读取 {0} 的统计</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>程序出现了一个意外错误。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>程序出现错误</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>程序错误</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>等待人工决定</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>等待核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>筛选场所类型</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>管理</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>管理人员手机号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>结束日期</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>结束日期不能早于开始日期</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>结果自动清除</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>结果自动清除（秒）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>统一提示音（旁人听不出结果）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>统计</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>统计日期</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>统计范围</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>继电器通道</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>继续使用</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>继续核验下一位</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>网络状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>联系电话</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>联系电话应为 11 位手机号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>脱敏</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>自动清除倒计时</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>自助模式</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>自助模式 PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>自助模式设置</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>至</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>获取验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>行程卡</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>被服务器拒绝的记录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>要导出的场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>视频 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>设备地址</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>设备密码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>设置</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>设置 PIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>设置页面</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>访客</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>证件号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>证件类型：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>证件：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>详细地址</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>语言</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>语言、字体大小、提示音和语音播报的更改在下次启动程序时生效。语音播报会让旁人听到核验结果。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>语音播报</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>语音播报核验结果</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>语音播报核验结果（请通行 / 禁止通行 / 请人工核验）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>说明</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请人工核验后选择</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请从列表中选择场所类型（可输入关键字筛选）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请填写 6 位县级行政区划代码，如 330624（新昌县）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请填写不通过的原因</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请填写原因（场所负责人会看到），如：营业执照与场所名称不符</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请填写县（市、区）级代码，末两位不能是 00</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请填写场所名称</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请填写场所的详细地址</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请填写子管理员的姓名</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请填写所在乡镇（街道）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请填写手动开闸的原因（与核验记录一起保存）：</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请填写检查点名称</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请填写负责人姓名</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请按提示修改标红的内容</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请本场所的管理人员验证身份后退出自助模式。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请至少选择一个场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请输入短信验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>请选择保存位置</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>负责人姓名</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>负责人手机号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>负责人手机号应为 11 位大陆手机号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>负责人手机号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>负责人首次用该号码登录即接管场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>超时</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>跟随系统</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>输入关键字筛选，如“超市”“医疗”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>输入证件号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>输入错误</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>近 30 天趋势</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>近 {0} 天核验与异常</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>返回</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>返回处理</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>返回核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>返回登录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>返回登记</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>还没有场所？注册场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>这条登记不在本机，联网后才能查看和修改</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>进入自助模式</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>连接中…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>退出后需要重新获取短信验证码才能登录。确定退出登录？</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>退出登录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>退出自助模式</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>退出自助模式需要本场所管理人员的手机验证码；设置 PIN 后，离线时也可用 PIN 退出。PIN 为 4 到 8 位数字，本机只保存其加密摘要。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>退出自助模式（需要场所管理人员验证）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>适用的检查点</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>选择…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>选择保存位置</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>选择场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>选择场所码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>选择检查点</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>通过</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>通过“{0}”的审核？通过后该场所可以查询证件信息。此操作将记入审计日志。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>通过审核</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>重试</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>错误已记录到：
{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>错误报告无法保存到 {0}（{1}），请检查磁盘空间和文件夹权限。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>门编号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>闸机</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>闸机未响应（测试出错）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>闸机状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>闸机类型</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>页签按钮</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>须核验行程卡</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>验证并退出</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>验证提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>验证码已发送，请查看短信</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>黄码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>黄码的处理</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>（待同步）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>（无）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>（显示截至 {0} 的本机数据）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>（未填写）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>（未登记）</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
