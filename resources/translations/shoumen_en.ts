<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>CheckpointPicker</name>
    <message>
        <location filename="../../shoumen_gui/ui/pickers.py" line="100"/>
        <source>选择检查点</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/pickers.py" line="111"/>
        <source>{0} 有多个检查点，请选择本机所在的检查点。</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CrashHandler</name>
    <message>
        <location filename="../../shoumen_gui/crash.py" line="108"/>
        <source>程序出现错误</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/crash.py" line="108"/>
        <source>程序出现了一个意外错误。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/crash.py" line="111"/>
        <source>程序错误</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/crash.py" line="114"/>
        <source>错误已记录到：
{0}

您可以继续使用。如果问题反复出现，请重启程序，并把这个文件交给技术支持。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/crash.py" line="118"/>
        <source>继续使用</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>IdPad</name>
    <message>
        <location filename="../../shoumen_gui/ui/id_pad.py" line="96"/>
        <source>录入证件号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/id_pad.py" line="107"/>
        <source>证件类型：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/id_pad.py" line="118"/>
        <source>证件号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/id_pad.py" line="119"/>
        <source>输入证件号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/id_pad.py" line="130"/>
        <source>号码校验提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/id_pad.py" line="136"/>
        <source>删除</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/id_pad.py" line="137"/>
        <source>清空</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/id_pad.py" line="140"/>
        <source>核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/id_pad.py" line="142"/>
        <source>核验证件</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="48"/>
        <location filename="../../shoumen_gui/ui/login.py" line="105"/>
        <location filename="../../shoumen_gui/ui/login.py" line="107"/>
        <location filename="../../shoumen_gui/ui/login.py" line="244"/>
        <source>登录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="57"/>
        <source>守小门 · 登录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="64"/>
        <location filename="../../shoumen_gui/ui/login.py" line="112"/>
        <source>手机号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="65"/>
        <source>11 位手机号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="68"/>
        <location filename="../../shoumen_gui/ui/login.py" line="70"/>
        <location filename="../../shoumen_gui/ui/login.py" line="260"/>
        <source>获取验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="78"/>
        <source>短信验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="79"/>
        <source>6 位验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="86"/>
        <source>演示验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="93"/>
        <source>演示账号</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="101"/>
        <source>登录提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="113"/>
        <source>验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="146"/>
        <source>演示账号（任选其一）：</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="177"/>
        <source>请输入短信验证码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="191"/>
        <source>演示验证码：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="195"/>
        <source>验证码已发送，请查看短信</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="244"/>
        <source>正在登录…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/login.py" line="263"/>
        <source>{0} 秒后重发</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../shoumen_gui/ui/main_window.py" line="70"/>
        <source>守小门 · 场所核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/main_window.py" line="71"/>
        <source>守小门</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResultPanel</name>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="122"/>
        <source>核验结果</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="139"/>
        <source>等待核验</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="157"/>
        <source>核验结论</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="167"/>
        <source>姓名</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="170"/>
        <source>证件号码</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="185"/>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="187"/>
        <source>人工放行</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="189"/>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="191"/>
        <source>劝返</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="198"/>
        <source>自动清除倒计时</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="235"/>
        <source>姓名：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="236"/>
        <source>证件：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="248"/>
        <source>请人工核验后选择</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="304"/>
        <source>{0} 秒后清除</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/result_panel.py" line="317"/>
        <source>已记录：{0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SessionFlow</name>
    <message>
        <location filename="../../shoumen_gui/ui/flow.py" line="94"/>
        <source>正在启动本机演示服务…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/flow.py" line="106"/>
        <source>正在恢复登录…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/flow.py" line="115"/>
        <source>本机演示服务无法启动：{0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/flow.py" line="148"/>
        <source>无法连接服务器，请检查网络后再登录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/flow.py" line="153"/>
        <source>本机演示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/flow.py" line="155"/>
        <source>演示服务器</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/flow.py" line="263"/>
        <source>正在同步场所配置…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/flow.py" line="315"/>
        <source>登录已失效，请重新登录</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StartupPage</name>
    <message>
        <location filename="../../shoumen_gui/ui/main_window.py" line="30"/>
        <source>正在启动</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/main_window.py" line="31"/>
        <source>正在启动…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/main_window.py" line="33"/>
        <source>启动状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/main_window.py" line="37"/>
        <location filename="../../shoumen_gui/ui/main_window.py" line="39"/>
        <source>重试</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="38"/>
        <source>同步状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="41"/>
        <source>网络状态</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="44"/>
        <source>待同步数量</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="47"/>
        <source>上次同步时间</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="50"/>
        <source>当前场所和检查点</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="53"/>
        <source>被服务器拒绝的记录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="56"/>
        <source>同步提示</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="60"/>
        <source>时钟偏差警告</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="78"/>
        <location filename="../../shoumen_gui/ui/status.py" line="119"/>
        <source>待同步 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="79"/>
        <location filename="../../shoumen_gui/ui/status.py" line="92"/>
        <source>尚未同步</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="94"/>
        <source>上次同步 {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="97"/>
        <source>快</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="97"/>
        <source>慢</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="99"/>
        <source>本机时钟比服务器{0}约 {1} 分钟，核酸时效判断可能不准，请校准系统时间。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="107"/>
        <source>{0} 条被拒绝</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="114"/>
        <source>您在本场所的核验权限已被收回，新的核验记录无法上传，请联系场所管理员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="128"/>
        <source>{0}（{1} 条）</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="135"/>
        <source>连接中…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="137"/>
        <source>● 在线</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/status.py" line="139"/>
        <source>○ 离线</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VenuePicker</name>
    <message>
        <location filename="../../shoumen_gui/ui/pickers.py" line="68"/>
        <source>选择场所</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/pickers.py" line="69"/>
        <location filename="../../shoumen_gui/ui/pickers.py" line="70"/>
        <source>退出登录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/pickers.py" line="77"/>
        <source>您还没有可以核验的场所。请场所的初始管理员把您添加为子管理员后重新登录。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/pickers.py" line="80"/>
        <source>您在以下场所的核验权限已被收回，请联系场所管理员。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/pickers.py" line="82"/>
        <source>您在多个场所有核验权限，请选择本机所在的场所。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/pickers.py" line="86"/>
        <source>权限已收回</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Workbench</name>
    <message>
        <location filename="../../shoumen_gui/ui/workbench.py" line="49"/>
        <source>核验工作台</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/workbench.py" line="56"/>
        <source>演示模式</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/workbench.py" line="64"/>
        <source>切换检查点</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/workbench.py" line="66"/>
        <source>切换场所或检查点</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/workbench.py" line="69"/>
        <location filename="../../shoumen_gui/ui/workbench.py" line="71"/>
        <source>退出登录</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/workbench.py" line="82"/>
        <source>本机没有可用的系统钥匙串：登录状态只保存在本次运行中，重启程序后需要重新登录。</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../shoumen_gui/ui/workbench.py" line="85"/>
        <source>登录保存提示</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>_Picker</name>
    <message>
        <location filename="../../shoumen_gui/ui/pickers.py" line="34"/>
        <location filename="../../shoumen_gui/ui/pickers.py" line="36"/>
        <source>返回</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
